//! Rendering helpers: the one HTML escaping function, the page layout with its navigation,
//! and small pieces every page uses (tables, timestamps, the CSRF field).

use std::fmt::Write;

use axum::response::Html;

use super::session::Session;
use echo_domain::timestamp::Timestamp;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A timestamp as ECHO writes it, or a dash.
pub fn when(at: Option<Timestamp>) -> String {
    at.map_or_else(|| "–".to_owned(), |t| t.to_echo_string())
}

/// The hidden field that proves a form came from a console page of this session.
pub fn csrf_field(session: &Session) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{}">"#,
        esc(&session.csrf)
    )
}

/// A small form with one button posting to `action` (escaped here).
pub fn button_form(session: &Session, action: &str, label: &str) -> String {
    format!(
        r#"<form method="post" action="{}" class="inline">{}<button type="submit">{}</button></form>"#,
        esc(action),
        csrf_field(session),
        esc(label)
    )
}

/// A table of pre-rendered cells (the caller escapes them); `caption` names it for readers.
pub fn table(caption: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut html = format!(
        "<div class=\"scroll\"><table><caption>{}</caption><thead><tr>",
        esc(caption)
    );
    for header in headers {
        let _ = write!(html, "<th scope=\"col\">{}</th>", esc(header));
    }
    html.push_str("</tr></thead><tbody>");
    html.push_str(&table_rows(rows));
    html.push_str("</tbody></table></div>");
    html
}

/// The rows of a table body (also served alone, for live updates).
pub fn table_rows(rows: &[Vec<String>]) -> String {
    let mut html = String::new();
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{cell}</td>");
        }
        html.push_str("</tr>");
    }
    html
}

/// A whole page: head, navigation for the signed-in user (if any), and `body`.
pub fn layout(title: &str, session: Option<&Session>, body: &str) -> Html<String> {
    let nav = session.map(navigation).unwrap_or_default();
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · echo-gateway console</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head><body>
<header><a class="brand" href="/console/">echo-gateway</a>{nav}</header>
<main><h1>{title}</h1>
{body}
</main></body></html>"#,
        title = esc(title),
    ))
}

fn navigation(session: &Session) -> String {
    let mut links = vec![
        ("/console/providers", "Providers"),
        ("/console/deliveries", "Deliveries"),
        ("/console/orders", "Orders"),
        ("/console/options", "Options"),
    ];
    if session.caller.is_operator() {
        links.push(("/console/accounts", "Accounts"));
    }
    let mut html = String::from("<nav aria-label=\"Main\"><ul>");
    for (href, label) in links {
        let _ = write!(html, "<li><a href=\"{href}\">{label}</a></li>");
    }
    let _ = write!(
        html,
        "</ul><span class=\"who\">{}</span>{}</nav>",
        esc(&session.caller.user_name),
        button_form(session, "/console/sign-out", "Sign out")
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
