//! The operations of Mattermost's REST API, from its OpenAPI description (the list is
//! `mattermost_operations.txt`, checked against the specification by a test). A request
//! for one Hearth does not serve yet is answered 501 rather than 404 or 405: clients can
//! tell "not built" from "no such thing", and the official apps, which sign the user out
//! on any 401, never see one for a missing feature.

use std::sync::OnceLock;

const LIST: &str = include_str!("mattermost_operations.txt");

/// One operation: the OpenAPI file it is in, its method and its path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub file: &'static str,
    pub method: &'static str,
    pub path: &'static str,
}

/// Every operation, in the order of the list.
pub fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        LIST.lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(|line| {
                let mut parts = line.split_whitespace();
                Some(Operation {
                    file: parts.next()?,
                    method: parts.next()?,
                    path: parts.next()?,
                })
            })
            .collect()
    })
}

/// Whether `path` fits `template`, where a `{name}` segment stands for any one segment.
fn fits(template: &str, path: &str) -> bool {
    let mut want = template.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') && !g.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// The Mattermost operation `method path` is, if any.
pub fn operation(method: &str, path: &str) -> Option<&'static Operation> {
    let path = path.trim_end_matches('/');
    operations()
        .iter()
        .find(|op| op.method.eq_ignore_ascii_case(method) && fits(op.path, path))
}

/// Whether `method path` is one of Mattermost's operations.
pub fn is_operation(method: &str, path: &str) -> bool {
    operation(method, path).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_read_and_templates_match_one_segment_per_parameter() {
        assert!(operations().len() > 300);
        assert!(operations().iter().all(|op| op.path.starts_with('/')));
        assert!(is_operation("GET", "/api/v4/users/abc"));
        assert!(is_operation("put", "/api/v4/teams/abc/privacy"));
        assert!(!is_operation("GET", "/api/v4/users/abc/no/such/thing"));
        assert!(!is_operation("GET", "/api/v4/users//image"));
        assert!(!is_operation("BREW", "/api/v4/users/abc"));
    }
}
