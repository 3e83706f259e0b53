//! Metadata shared by rules, correlations and filters.

use crate::catalog::yaml::Node;

/// The descriptive fields of any Sigma document; each keeps its node for locations.
#[derive(Debug, Default)]
pub struct Meta<'a> {
    pub title: Option<&'a Node>,
    pub id: Option<&'a Node>,
    pub name: Option<&'a Node>,
    pub level: Option<&'a Node>,
    pub status: Option<&'a Node>,
    pub description: Option<&'a Node>,
    pub date: Option<&'a Node>,
    pub modified: Option<&'a Node>,
    pub tags: Vec<&'a Node>,
    pub references: Vec<&'a Node>,
    pub logsource: Option<&'a Node>,
}

impl<'a> Meta<'a> {
    pub fn parse(root: &'a Node) -> Meta<'a> {
        let list = |key: &str| {
            root.get(key)
                .and_then(Node::as_seq)
                .map(|s| s.iter().collect())
                .unwrap_or_default()
        };
        Meta {
            title: root.get("title"),
            id: root.get("id"),
            name: root.get("name"),
            level: root.get("level"),
            status: root.get("status"),
            description: root.get("description"),
            date: root.get("date"),
            modified: root.get("modified"),
            tags: list("tags"),
            references: list("references"),
            logsource: root.get("logsource"),
        }
    }

    pub fn id_str(&self) -> Option<&'a str> {
        self.id.and_then(Node::scalar_text)
    }

    pub fn name_str(&self) -> Option<&'a str> {
        self.name.and_then(Node::scalar_text)
    }

    pub fn title_str(&self) -> Option<&'a str> {
        self.title.and_then(Node::scalar_text)
    }

    /// `logsource.product`, e.g. `auth0`.
    pub fn product(&self) -> Option<&'a str> {
        self.logsource
            .and_then(|l| l.get("product"))
            .and_then(Node::scalar_text)
    }
}
