//! The 24-hour delivery chart of one provider, drawn on the server as SVG: a stacked bar per
//! hour (answered tries, failed tries) and the current backlog.

use std::fmt::Write;

use super::page::esc;
use crate::app::stats::DeliveryHistory;

const BAR: usize = 20;
const GAP: usize = 4;
const HEIGHT: usize = 120;

/// The chart as inline SVG with a text alternative.
pub fn render(provider: &str, history: &DeliveryHistory) -> String {
    let answered: usize = history.hours.iter().map(|h| h.answered).sum();
    let failed: usize = history.hours.iter().map(|h| h.failed).sum();
    let peak = history
        .hours
        .iter()
        .map(|h| h.answered + h.failed)
        .max()
        .unwrap_or(0)
        .max(1);
    let width = history.hours.len() * (BAR + GAP);
    let summary = format!(
        "Deliveries to {provider} in the last 24 hours: {answered} answered, {failed} failed tries; backlog {}",
        history.backlog
    );
    let mut svg = format!(
        "<figure class=\"chart\"><svg role=\"img\" aria-label=\"{label}\" viewBox=\"0 0 {width} {total}\" \
         width=\"100%\" height=\"{total}\" data-answered=\"{answered}\" data-failed=\"{failed}\" \
         data-backlog=\"{backlog}\" id=\"delivery-chart\">",
        label = esc(&summary),
        total = HEIGHT + 16,
        backlog = history.backlog,
    );
    for (index, hour) in history.hours.iter().enumerate() {
        let x = index * (BAR + GAP);
        let ok = hour.answered * HEIGHT / peak;
        let bad = hour.failed * HEIGHT / peak;
        let title = format!(
            "{}: {} answered, {} failed",
            hour.start.to_echo_string(),
            hour.answered,
            hour.failed
        );
        let _ = write!(
            svg,
            "<g><title>{}</title><rect class=\"answered\" x=\"{x}\" y=\"{}\" width=\"{BAR}\" height=\"{ok}\"/>\
             <rect class=\"failed\" x=\"{x}\" y=\"{}\" width=\"{BAR}\" height=\"{bad}\"/></g>",
            esc(&title),
            HEIGHT - ok,
            HEIGHT - ok - bad,
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"0\" y1=\"{HEIGHT}\" x2=\"{width}\" y2=\"{HEIGHT}\" class=\"axis\"/>\
         <text x=\"0\" y=\"{}\">24 h ago</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">now</text></svg>",
        HEIGHT + 14,
        width,
        HEIGHT + 14,
    );
    let _ = write!(
        svg,
        "<figcaption><span class=\"key answered\">■</span> answered {answered} · \
         <span class=\"key failed\">■</span> failed {failed} · backlog {}</figcaption></figure>",
        history.backlog
    );
    svg
}
