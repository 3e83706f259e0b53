//! IP networks in CIDR notation, as the `cidr` modifier takes them.

/// Validate `addr/prefix` with zero host bits.
pub fn check_cidr(text: &str) -> Result<(), String> {
    let (addr, prefix) = text.split_once('/').unwrap_or((text, ""));
    let addr: std::net::IpAddr = addr
        .parse()
        .map_err(|_| format!("`{text}` is not an IP network in CIDR notation"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix: u32 = if prefix.is_empty() {
        max
    } else {
        prefix.parse().map_err(|_| format!("`{text}`: bad prefix length"))?
    };
    if prefix > max {
        return Err(format!("`{text}`: prefix length {prefix} exceeds {max}"));
    }
    let bits: u128 = match addr {
        std::net::IpAddr::V4(a) => u32::from(a) as u128,
        std::net::IpAddr::V6(a) => u128::from(a),
    };
    let host_mask = if prefix == max {
        0
    } else {
        (1u128 << (max - prefix)) - 1
    };
    if bits & host_mask != 0 {
        return Err(format!("`{text}` has host bits set: it is not a network address"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_checks() {
        assert!(check_cidr("10.0.0.0/8").is_ok());
        assert!(check_cidr("10.0.0.1/8").is_err());
        assert!(check_cidr("2001:db8::/32").is_ok());
        assert!(check_cidr("10.0.0.0/33").is_err());
        assert!(check_cidr("nope").is_err());
    }
}
