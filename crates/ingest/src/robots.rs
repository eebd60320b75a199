//! `robots.txt`: which paths of a site its owner asks crawlers to leave alone. Parallax reads the
//! group for its own name, else the `*` group; the longest matching rule decides, `Allow` winning a
//! tie; `*` matches any run of characters and a final `$` anchors a rule at the path's end.

/// A group of a `robots.txt`: the agents it names and its rules.
type Group = (Vec<String>, Vec<(bool, String)>);

/// The rules of one site for one crawler.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    /// (allowed, pattern), as written.
    rules: Vec<(bool, String)>,
}

impl Robots {
    /// Every path allowed (no `robots.txt`, or one that says nothing to us).
    pub fn allow_all() -> Self {
        Robots::default()
    }

    /// Every path refused (the site's `robots.txt` could not be had for a reason other than its
    /// absence).
    pub fn disallow_all() -> Self {
        Robots { rules: vec![(false, "/".into())] }
    }

    /// Reads a `robots.txt` for a crawler called `agent` ("parallax").
    pub fn parse(text: &str, agent: &str) -> Self {
        let agent = agent.to_ascii_lowercase();
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((field, value)) = line.split_once(':') else { continue };
            let (field, value) = (field.trim().to_ascii_lowercase(), value.trim());
            match field.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push((Vec::new(), Vec::new()));
                    }
                    in_agents = true;
                    if let Some(group) = groups.last_mut() {
                        group.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    // An empty Disallow allows everything; it adds no rule.
                    if let Some(group) = groups.last_mut()
                        && !value.is_empty()
                    {
                        group.1.push((field == "allow", value.to_owned()));
                    }
                }
                _ => in_agents = false,
            }
        }
        let named =
            groups.iter().find(|(agents, _)| agents.iter().any(|a| a != "*" && agent.contains(a.as_str())));
        let any = groups.iter().find(|(agents, _)| agents.iter().any(|a| a == "*"));
        Robots { rules: named.or(any).map(|(_, rules)| rules.clone()).unwrap_or_default() }
    }

    /// Whether a path (with its query) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        self.rules
            .iter()
            .filter(|(_, pattern)| matches(pattern, path))
            .max_by_key(|(allow, pattern)| (pattern.len(), *allow))
            .is_none_or(|(allow, _)| *allow)
    }
}

/// Whether a rule's pattern matches the start of a path (all of it, with a final `$`).
fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('$') {
        Some(whole) => wildcard(whole.as_bytes(), path.as_bytes()),
        None => wildcard(format!("{pattern}*").as_bytes(), path.as_bytes()),
    }
}

/// Whether `text` is all of `pattern`, where `*` stands for any run of bytes.
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last star was, and how much of the text it had taken.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_at, taken)) = star {
            p = star_at + 1;
            t = taken + 1;
            star = Some((star_at, taken + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROBOTS: &str = "# comments are ignored
User-agent: Googlebot
Disallow: /

User-agent: *
Disallow: /private/
Allow: /private/press/
Disallow: /*.pdf$
Disallow: /search?q=
";

    #[test]
    fn the_longest_rule_of_the_matching_group_decides() {
        let robots = Robots::parse(ROBOTS, "parallax");
        assert!(robots.allows("/news/bridge.html"));
        assert!(!robots.allows("/private/notes.html"));
        assert!(robots.allows("/private/press/release.html"), "the longer Allow wins");
        assert!(!robots.allows("/files/report.pdf") && robots.allows("/files/report.pdf.html"));
        assert!(!robots.allows("/search?q=bridge") && robots.allows("/search"));
    }

    #[test]
    fn a_group_for_parallax_replaces_the_general_one() {
        let robots = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: Parallax\nDisallow: /drafts/\n",
            "parallax",
        );
        assert!(robots.allows("/news/a.html") && !robots.allows("/drafts/a.html"));
        assert!(Robots::parse("User-agent: *\nDisallow:\n", "parallax").allows("/anything"));
        assert!(Robots::parse("", "parallax").allows("/anything"));
        assert!(!Robots::disallow_all().allows("/") && Robots::allow_all().allows("/x"));
    }
}
