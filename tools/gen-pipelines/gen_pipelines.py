#!/usr/bin/env python3
"""Write the built-in Windows pipelines (pipelines/{ecs_windows,splunk_windows,splunk_cim,sysmon,windows}.yml).

The tables below are facts about log sources: which Windows event log channel a Sigma `service`
reads, which Sysmon event id a Sigma `category` is, what ECS and Splunk CIM call a Sysmon field.
Several pipelines share a table (the channel table is used by three), so they are kept here once and
written out as pySigma-format pipeline YAML, each table's source in a comment. The output is
deterministic; `cargo test` embeds the YAML files, and scripts/conformance.sh compares each pipeline
with pySigma's pipeline of the same name.

Usage: python3 tools/gen-pipelines/gen_pipelines.py [--out DIR]   (standard library only)
"""

import argparse
import json
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Sigma `service` (product: windows) -> Windows event log channel(s). Source: the channel names
# Windows gives these logs (Event Viewer, `wevtutil el`), in the set and spelling that pySigma 1.5.1
# uses for its Windows pipelines (sigma.pipelines.common.windows_logsource_mapping).
CHANNELS = [
    ("security", "Security"),
    ("application", "Application"),
    ("system", "System"),
    ("sysmon", "Microsoft-Windows-Sysmon/Operational"),
    ("powershell", ["Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"]),
    ("powershell-classic", "Windows PowerShell"),
    ("taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"),
    ("wmi", "Microsoft-Windows-WMI-Activity/Operational"),
    ("dns-server", "DNS Server"),
    ("dns-server-audit", "Microsoft-Windows-DNS-Server/Audit"),
    ("dns-server-analytic", "Microsoft-Windows-DNS-Server/Analytical"),
    ("driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational"),
    ("ntlm", "Microsoft-Windows-NTLM/Operational"),
    ("dhcp", "Microsoft-Windows-DHCP-Server/Operational"),
    ("msexchange-management", "MSExchange Management"),
    ("applocker", [
        "Microsoft-Windows-AppLocker/MSI and Script",
        "Microsoft-Windows-AppLocker/EXE and DLL",
        "Microsoft-Windows-AppLocker/Packaged app-Deployment",
        "Microsoft-Windows-AppLocker/Packaged app-Execution",
    ]),
    ("printservice-admin", "Microsoft-Windows-PrintService/Admin"),
    ("printservice-operational", "Microsoft-Windows-PrintService/Operational"),
    ("codeintegrity-operational", "Microsoft-Windows-CodeIntegrity/Operational"),
    ("smbclient-security", "Microsoft-Windows-SmbClient/Security"),
    ("firewall-as", "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"),
    ("bits-client", "Microsoft-Windows-Bits-Client/Operational"),
    ("windefend", "Microsoft-Windows-Windows Defender/Operational"),
    ("terminalservices-localsessionmanager",
     "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"),
    ("microsoft-servicebus-client", "Microsoft-ServiceBus-Client"),
    ("ldap_debug", "Microsoft-Windows-LDAP-Client/Debug"),
    ("security-mitigations", [
        "Microsoft-Windows-Security-Mitigations/Kernel Mode",
        "Microsoft-Windows-Security-Mitigations/User Mode",
    ]),
    ("diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/Operational"),
    ("shell-core", "Microsoft-Windows-Shell-Core/Operational"),
    ("openssh", "OpenSSH/Operational"),
    ("bitlocker", "Microsoft-Windows-BitLocker/BitLocker Management"),
    ("vhdmp", "Microsoft-Windows-VHDMP/Operational"),
    ("appxdeployment-server", "Microsoft-Windows-AppXDeploymentServer/Operational"),
    ("lsa-server", "Microsoft-Windows-LSA/Operational"),
    ("appxpackaging-om", "Microsoft-Windows-AppxPackaging/Operational"),
    ("dns-client", "Microsoft-Windows-DNS Client Events/Operational"),
    ("appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin"),
    ("capi2", "Microsoft-Windows-CAPI2/Operational"),
    ("certificateservicesclient-lifecycle-system",
     "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"),
]

# Sigma `category` (product: windows) -> Sysmon event id(s). Source: Sysinternals' Sysmon event
# reference (event ids 1-29 and 255), grouped by Sigma category as pySigma-pipeline-sysmon 2.0.0 does.
SYSMON_EVENTS = [
    ("process_creation", 1), ("file_change", 2), ("network_connection", 3), ("sysmon_status", [4, 16]),
    ("process_termination", 5), ("driver_load", 6), ("image_load", 7), ("create_remote_thread", 8),
    ("raw_access_thread", 9), ("process_access", 10), ("file_event", 11), ("registry_add", 12),
    ("registry_delete", 12), ("registry_set", 13), ("registry_rename", 14),
    ("registry_event", [12, 13, 14]), ("create_stream_hash", 15), ("pipe_created", [17, 18]),
    ("wmi_event", [19, 20, 21]), ("dns_query", 22), ("file_delete", 23), ("clipboard_capture", 24),
    ("process_tampering", 25), ("file_delete_detected", 26), ("file_block_executable", 27),
    ("file_block_shredding", 28), ("file_executable_detected", 29), ("sysmon_error", 255),
]

# PowerShell categories -> the service whose channel they are read from and their event id. Source:
# Microsoft's PowerShell logging documentation (4103 module logging, 4104 script block logging in
# Microsoft-Windows-PowerShell/Operational; 400, 600, 800 in the classic "Windows PowerShell" log),
# as pySigma-pipeline-windows 2.0.1 maps them.
POWERSHELL_CATEGORIES = [
    ("ps_module", "powershell", 4103),
    ("ps_script", "powershell", 4104),
    ("ps_classic_start", "powershell-classic", 400),
    ("ps_classic_provider_start", "powershell-classic", 600),
    ("ps_classic_script", "powershell-classic", 800),
]

# Sysmon / Windows event fields -> ECS fields as Winlogbeat >= 7 and Elastic Agent's Windows
# integration write them. Source: Elastic's Winlogbeat Sysmon and Security module field reference
# and the ECS field reference, in the form pySigma-backend-elasticsearch 2.1.1's ecs_windows uses
# (`.caseless` multi-fields for executables, so matches are case-insensitive).
ECS_FIELDS = [
    ("EventID", "event.code"), ("Channel", "winlog.channel"), ("Provider_Name", "winlog.provider_name"),
    ("ComputerName", "winlog.computer_name"), ("FileName", "file.path"),
    ("ProcessGuid", "process.entity_id"), ("ProcessId", "process.pid"),
    ("Image", "process.executable.caseless"), ("CurrentDirectory", "process.working_directory"),
    ("ParentProcessGuid", "process.parent.entity_id"), ("ParentProcessId", "process.parent.pid"),
    ("ParentImage", "process.parent.executable.caseless"),
    ("ParentCommandLine", "process.parent.command_line"), ("TargetFilename", "file.path"),
    ("SourceIp", "source.ip"), ("SourceHostname", "source.domain"), ("SourcePort", "source.port"),
    ("DestinationIp", "destination.ip"), ("DestinationHostname", "destination.domain"),
    ("DestinationPort", "destination.port"), ("DestinationPortName", "network.protocol"),
    ("ImageLoaded", "file.path"), ("Signed", "file.code_signature.signed"),
    ("SignatureStatus", "file.code_signature.status"), ("Imphash", "file.pe.imphash"),
    ("SourceProcessGuid", "process.entity_id"), ("SourceProcessId", "process.pid"),
    ("SourceImage", "process.executable.caseless"), ("Device", "file.path"),
    ("SourceThreadId", "process.thread.id"), ("TargetObject", "registry.path"),
    ("PipeName", "file.name"), ("Destination", "process.executable.caseless"),
    ("QueryName", "dns.question.name"), ("QueryStatus", "sysmon.dns.status"),
    ("IsExecutable", "sysmon.file.is_executable"), ("Archived", "sysmon.file.archived"),
    ("CommandName", "powershell.command.name"), ("CommandPath", "powershell.command.path"),
    ("CommandType", "powershell.command.type"), ("HostApplication", "process.command_line"),
    ("HostId", "process.entity_id"), ("HostName", "process.title"),
    ("NewEngineState", "powershell.engine.new_state"), ("PipelineId", "powershell.pipeline_id"),
    ("PreviousEngineState", "powershell.engine.previous_state"),
    ("RunspaceId", "powershell.runspace_id"), ("ScriptName", "file.path"),
    ("SequenceNumber", "event.sequence"), ("NewProviderState", "powershell.provider.new_state"),
    ("ProviderName", "powershell.provider.name"), ("MessageNumber", "powershell.sequence"),
    ("MessageTotal", "powershell.total"), ("ScriptBlockText", "powershell.file.script_block_text"),
    ("ScriptBlockId", "powershell.file.script_block_id"), ("AccountDomain", "user.domain"),
    ("AccountName", "user.name"), ("Application", "process.executable.caseless"),
    ("ClientAddress", "source.ip"), ("ClientName", "source.domain"), ("DestAddress", "destination.ip"),
    ("DestPort", "destination.port"), ("IpAddress", "source.ip"), ("IpPort", "source.port"),
    ("NewProcessId", "process.pid"), ("NewProcessName", "process.executable.caseless"),
    ("ParentProcessName", "process.parent.name.caseless"),
    ("ProcessName", "process.executable.caseless"), ("SourceAddress", "source.ip"),
    ("TargetDomainName", "user.domain"), ("User", "user.name"), ("WorkstationName", "source.domain"),
    ("Payload", "powershell.file.script_block_text"),
]

# Fields whose ECS name depends on the log source (same sources). Applied before ECS_FIELDS.
ECS_FIELDS_BY_SOURCE = [
    ("FileVersion", [("category", "process_creation", "process.pe.file_version"),
                     ("category", "image_load", "file.pe.file_version")]),
    ("Description", [("category", "process_creation", "process.pe.description"),
                     ("category", "image_load", "file.pe.description"),
                     ("category", "sysmon_error", "winlog.event_data.Description")]),
    ("Product", [("category", "process_creation", "process.pe.product"),
                 ("category", "image_load", "file.pe.product")]),
    ("Company", [("category", "process_creation", "process.pe.company"),
                 ("category", "image_load", "file.pe.company")]),
    ("OriginalFileName", [("category", "process_creation", "process.pe.original_file_name"),
                          ("category", "image_load", "file.pe.original_file_name")]),
    ("CommandLine", [("category", "process_creation", "process.command_line"),
                     ("service", "security", "process.command_line"),
                     ("service", "powershell-classic", "powershell.command.value")]),
    ("Protocol", [("category", "network_connection", "network.transport")]),
    ("Initiated", [("category", "network_connection", "network.direction")]),
    ("Signature", [("category", "driver_loaded", "file.code_signature.subject_name"),
                   ("category", "image_loaded", "file.code_signature.subject_name")]),
    ("EngineVersion", [("service", "powershell-classic", "powershell.engine.version")]),
    ("HostVersion", [("service", "powershell-classic", "powershell.process.executable_version")]),
    ("SubjectLogonId", [("service", "security", "winlog.logon.id")]),
    ("ServiceName", [("service", "security", "service.name")]),
    ("SubjectDomainName", [("service", "security", "user.domain")]),
    ("SubjectUserName", [("service", "security", "user.name")]),
    ("SubjectUserSid", [("service", "security", "user.id")]),
    ("TargetLogonId", [("service", "security", "winlog.logon.id")]),
]

# ECS fields that hold numbers or IP addresses: their values are not turned into strings.
ECS_TYPED_FIELDS = ["destination.port", "source.port", "process.parent.pid", "process.pid",
                    "destination.ip", "source.ip"]

# Sysmon fields -> Splunk CIM data model fields, per Sigma category. Source: Splunk's CIM 5 data
# model reference (Endpoint: Processes, Registry, Filesystem; Web; Network_Resolution; Network_Traffic),
# with the choices pySigma-backend-splunk 2.1.0's splunk_cim pipeline makes where several fit.
# `network_connection` (Network_Traffic.All_Traffic) is detc's addition: pySigma refuses those rules.
CIM = [
    ("process_creation", [{"category": "process_creation", "product": "windows"},
                          {"category": "process_creation", "product": "linux"}],
     "Endpoint.Processes", [
         ("CommandLine", "Processes.process"), ("Computer", "Processes.dest"),
         ("CurrentDirectory", "Processes.process_current_directory"),
         ("Image", "Processes.process_path"),
         ("IntegrityLevel", "Processes.process_integrity_level"),
         ("OriginalFileName", "Processes.original_file_name"),
         ("ParentCommandLine", "Processes.parent_process"),
         ("ParentImage", "Processes.parent_process_path"),
         ("ParentProcessGuid", "Processes.parent_process_guid"),
         ("ParentProcessId", "Processes.parent_process_id"),
         ("ProcessGuid", "Processes.process_guid"), ("ProcessId", "Processes.process_id"),
         ("User", "Processes.user"),
     ]),
    ("registry", [{"category": c, "product": "windows"}
                  for c in ("registry_add", "registry_delete", "registry_event", "registry_set")],
     "Endpoint.Registry", [
         ("Computer", "Registry.dest"), ("Details", "Registry.registry_value_data"),
         ("EventType", "Registry.action"), ("Image", "Registry.process_path"),
         ("ProcessGuid", "Registry.process_guid"), ("ProcessId", "Registry.process_id"),
         ("TargetObject", "Registry.registry_key_name"),
     ]),
    ("file_event", [{"category": "file_event", "product": "windows"}], "Endpoint.Filesystem", [
        ("Computer", "Filesystem.dest"), ("CreationUtcTime", "Filesystem.file_create_time"),
        ("Image", "Filesystem.process_path"), ("ProcessGuid", "Filesystem.process_guid"),
        ("ProcessId", "Filesystem.process_id"), ("TargetFilename", "Filesystem.file_path"),
    ]),
    ("network_connection", [{"category": "network_connection", "product": "windows"}],
     "Network_Traffic.All_Traffic", [
         ("DestinationHostname", "All_Traffic.dest"), ("DestinationIp", "All_Traffic.dest_ip"),
         ("DestinationPort", "All_Traffic.dest_port"), ("ProcessId", "All_Traffic.process_id"),
         ("Protocol", "All_Traffic.transport"), ("SourceHostname", "All_Traffic.src"),
         ("SourceIp", "All_Traffic.src_ip"), ("SourcePort", "All_Traffic.src_port"),
         ("User", "All_Traffic.user"),
     ]),
    ("web_proxy", [{"category": "proxy"}], "Web.Proxy", [
        ("c-uri", "Web.url"), ("c-uri-query", "Web.uri_query"), ("c-uri-stem", "Web.uri_path"),
        ("c-useragent", "Web.http_user_agent"), ("cs-method", "Web.http_method"),
        ("cs-host", "Web.dest"), ("cs-referrer", "Web.http_referrer"), ("src_ip", "Web.src"),
        ("dst_ip", "Web.dest_ip"),
    ]),
    ("dns", [{"category": "network", "service": "dns"}], "Network_Resolution.DNS", [
        ("destination.ip", "DNS.dest"), ("destination.port", "DNS.dest_port"),
        ("dns.answers.name", "DNS.answer"), ("dns.answers.ttl", "DNS.ttl"),
        ("dns.answers.type", "DNS.record_type"), ("dns.id", "DNS.transaction_id"),
        ("dns.question.name", "DNS.query"), ("dns.question.type", "DNS.query_type"),
        ("dns.response.code", "DNS.reply_code_id"), ("source.ip", "DNS.src"),
        ("source.port", "DNS.src_port"),
    ]),
]


def q(value) -> str:
    """A YAML scalar: JSON strings and numbers are valid YAML flow scalars."""
    return json.dumps(value)


def flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {q(v)}" for k, v in d.items()) + "}"


def logsource_cond(**ls) -> str:
    return f"[{{type: logsource, {', '.join(f'{k}: {q(v)}' for k, v in ls.items())}}}]"


def channel_items(field: str, template: str) -> list[str]:
    out = []
    for service, channels in CHANNELS:
        value = ([template.format(c) for c in channels] if isinstance(channels, list)
                 else template.format(channels))
        out.append(f"""  - id: windows_logsource_{service}
    type: add_condition
    conditions: {{{field}: {q(value)}}}
    rule_conditions: {logsource_cond(product="windows", service=service)}""")
    return out


def header(name: str, priority: int, backends: list[str] | None, about: str) -> str:
    lines = [f"# {line}".rstrip() for line in about.strip().splitlines()]
    lines.append("# Written by tools/gen-pipelines/gen_pipelines.py; edit the tables there.")
    lines += [f"name: {name}", f"priority: {priority}"]
    if backends:
        lines.append(f"allowed_backends: [{', '.join(backends)}]")
    lines.append("transformations:")
    return "\n".join(lines)


CHANNEL_SOURCE = ("Channels per Sigma service: Windows' own log names, as pySigma 1.5.1's Windows\n"
                  "pipelines use them (sigma.pipelines.common).")


def ecs_windows() -> str:
    items = channel_items("winlog.channel", "{}")
    for field, sources in ECS_FIELDS_BY_SOURCE:
        for key, value, mapped in sources:
            items.append(f"""  - id: elasticsearch_windows-{field}-{key}-{value}
    type: field_name_mapping
    mapping: {{{field}: {mapped}}}
    rule_conditions: {logsource_cond(product="windows", **{key: value})}""")
    mapping = "\n".join(f"      {k}: {v}" for k, v in ECS_FIELDS)
    items.append(f"""  - id: ecs_windows_field_mapping
    type: field_name_mapping
    mapping:
{mapping}
    rule_conditions: {logsource_cond(product="windows")}""")
    items.append(r"""  # Every other field is an event data field: winlog.event_data.<Name>. A name with a dot is ECS
  # already (mapped above, or written so in the rule).
  - id: ecs_windows_winlog_eventdata_prefix
    type: field_name_prefix
    prefix: winlog.event_data.
    field_name_conditions:
      - {type: processing_item_applied, processing_item_id: ecs_windows_field_mapping}
      - {type: include_fields, mode: re, fields: ['\w+\.']}
    field_name_cond_op: or
    field_name_cond_not: true
    rule_conditions: [{type: logsource, product: windows}]
  # Sysmon's Initiated (true/false) is ECS network.direction (egress/ingress).
  - id: network_direction_egress
    type: set_value
    value: egress
    field_name_conditions: [{type: include_fields, fields: [network.direction]}]
    detection_item_conditions: [{type: match_value, value: true, cond: all}]
  - id: network_direction_ingress
    type: set_value
    value: ingress
    field_name_conditions: [{type: include_fields, fields: [network.direction]}]
    detection_item_conditions: [{type: match_value, value: false, cond: all}]""")
    typed = ", ".join(ECS_TYPED_FIELDS)
    items.append(f"""  # Windows event data are strings in ECS (event.code is a keyword): numbers are matched as text,
  # except in the numeric and IP fields.
  - id: values_to_str
    type: convert_type
    target_type: str
    rule_conditions: [{{type: logsource, product: windows}}]
    field_name_conditions: [{{type: include_fields, fields: [{typed}]}}]
    field_name_cond_not: true
    detection_item_conditions: [{{type: is_null, cond: any}}]
    detection_item_cond_not: true""")
    about = f"""Windows event logs in Elastic Common Schema, as Winlogbeat >= 7 and Elastic Agent's Windows
integrations index them: the channel condition per service, ECS field names, winlog.event_data.*
for the rest. {CHANNEL_SOURCE}
ECS names: Elastic's Winlogbeat (Sysmon, Security, PowerShell modules) and ECS field references, as
pySigma-backend-elasticsearch 2.1.1's ecs_windows maps them (sigma.pipelines.elasticsearch.windows)."""
    return header("ecs_windows", 20, ["lucene", "eql", "esql"], about) + "\n" + "\n".join(items) + "\n"


def splunk_windows() -> str:
    items = channel_items("source", "WinEventLog:{}")
    items.append("""  - id: splunk_windows_field_mapping
    type: field_name_mapping
    mapping: {EventID: EventCode}""")
    about = f"""Windows event logs in Splunk through the Splunk Add-on for Microsoft Windows: each service's
searches are scoped to source="WinEventLog:<channel>", and EventID is the add-on's EventCode.
{CHANNEL_SOURCE} Source naming: the add-on's documented WinEventLog:<channel> sources, as
pySigma-backend-splunk 2.1.0's splunk_windows does (sigma.pipelines.splunk)."""
    return header("splunk_windows", 20, ["splunk"], about) + "\n" + "\n".join(items) + "\n"


def splunk_cim() -> str:
    items = []
    for name, sources, model, mapping in CIM:
        conds = "\n".join(f"      - {{type: logsource, {', '.join(f'{k}: {v}' for k, v in s.items())}}}"
                          for s in sources)
        fields = [k for k, _ in mapping]
        items.append(f"""  # {model}
  - id: splunk_dm_mapping_{name}_unsupported_fields
    type: detection_item_failure
    message: "Splunk CIM's {model} data model has no equivalent of this field (it maps {', '.join(fields)})"
    rule_conditions:
{conds}
    rule_cond_op: or
    field_name_conditions: [{{type: exclude_fields, fields: [{', '.join(q(f) for f in fields)}]}}]
  - id: splunk_dm_mapping_{name}
    type: field_name_mapping
    mapping: {{{', '.join(f'{q(k)}: {v}' for k, v in mapping)}}}
    rule_conditions:
{conds}
    rule_cond_op: or""")
    applied = "\n".join(f"      - {{type: processing_item_applied, processing_item_id: splunk_dm_mapping_{n}}}"
                        for n, *_ in CIM)
    items.append(f"""  - id: splunk_dm_mapping_log_source_not_supported
    type: rule_failure
    message: "the Splunk CIM pipeline maps only process_creation, registry_*, file_event and network_connection (Windows), proxy and network/dns rules"
    rule_conditions:
{applied}
    rule_cond_op: or
    rule_cond_not: true""")
    about = """Sysmon-style field names to Splunk CIM data model fields (Endpoint.Processes, Endpoint.Registry,
Endpoint.Filesystem, Network_Traffic.All_Traffic, Web, Network_Resolution.DNS) for searches over
accelerated data models. A field the data model lacks fails its rule (B801); a rule of any other log
source is refused. Source: Splunk's CIM 5 data model reference, with the field choices of
pySigma-backend-splunk 2.1.0's splunk_cim (network_connection is detc's addition)."""
    return header("splunk_cim", 20, ["splunk"], about) + "\n" + "\n".join(items) + "\n"


def sysmon() -> str:
    items = []
    for category, event in SYSMON_EVENTS:
        cond = logsource_cond(category=category, product="windows")
        items.append(f"""  - id: sysmon_{category}_eventid
    type: add_condition
    conditions: {{EventID: {q(event)}}}
    rule_conditions: {cond}
  - id: sysmon_{category}_logsource
    type: change_logsource
    category: {category}
    product: windows
    service: sysmon
    rule_conditions: {cond}""")
    about = """Generic Windows log sources read from Sysmon: the Sysmon event id per category, and the rule's
log source becomes service: sysmon (so a later pipeline adds the Sysmon channel or source). Source:
Sysinternals' Sysmon event reference, grouped as pySigma-pipeline-sysmon 2.0.0 does."""
    return header("sysmon", 10, None, about) + "\n" + "\n".join(items) + "\n"


def windows() -> str:
    items = []
    for category, service, event in POWERSHELL_CATEGORIES:
        cond = logsource_cond(category=category, product="windows")
        items.append(f"""  - id: windows_{category}_channel
    type: add_condition
    conditions: {{EventID: {event}}}
    rule_conditions: {cond}
  - id: windows_{category}_logsource
    type: change_logsource
    category: {category}
    product: windows
    service: {service}
    rule_conditions: {cond}""")
    items += channel_items("Channel", "{}")
    about = f"""Windows log sources as event log channels: Channel per service, and the PowerShell categories
(their event id, then their channel). {CHANNEL_SOURCE} PowerShell event ids:
Microsoft's PowerShell logging documentation, as pySigma-pipeline-windows 2.0.1's
windows-logsources pipeline maps them (pySigma's name for this pipeline)."""
    return header("windows", 10, None, about) + "\n" + "\n".join(items) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "pipelines"))
    args = ap.parse_args()
    for name, text in [("ecs_windows", ecs_windows()), ("splunk_windows", splunk_windows()),
                       ("splunk_cim", splunk_cim()), ("sysmon", sysmon()), ("windows", windows())]:
        with open(os.path.join(args.out, f"{name}.yml"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
