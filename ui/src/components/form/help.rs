//! A field's or section's help text: Markdown read by [`crate::markdown`], shown as DOM
//! text nodes (so nothing in it becomes markup), a plain line as the paragraph it is.

use leptos::prelude::*;

use crate::markdown::{self, Block, Inline};

/// The help under a field or a section; nothing for a blank text.
#[component]
pub fn Help(
    /// The text, in the catalogs' Markdown.
    text: Option<String>,
) -> impl IntoView {
    let text = text.filter(|t| !t.trim().is_empty())?;
    if markdown::is_plain(&text) {
        return Some(view! { <p class="help">{text}</p> }.into_any());
    }
    let blocks = markdown::parse(&text).into_iter().map(block).collect_view();
    Some(view! { <div class="help markdown">{blocks}</div> }.into_any())
}

fn block(block: Block) -> AnyView {
    match block {
        Block::Paragraph(runs) => view! { <p>{inlines(runs)}</p> }.into_any(),
        Block::Heading(runs) => view! { <p><strong>{inlines(runs)}</strong></p> }.into_any(),
        Block::List { ordered, items } => {
            let items = items
                .into_iter()
                .map(|item| view! { <li>{inlines(item)}</li> })
                .collect_view();
            if ordered {
                view! { <ol>{items}</ol> }.into_any()
            } else {
                view! { <ul>{items}</ul> }.into_any()
            }
        }
    }
}

fn inlines(runs: Vec<Inline>) -> Vec<AnyView> {
    runs.into_iter().map(inline).collect()
}

fn inline(run: Inline) -> AnyView {
    match run {
        Inline::Text(text) => text.into_any(),
        Inline::Strong(runs) => view! { <strong>{inlines(runs)}</strong> }.into_any(),
        Inline::Em(runs) => view! { <em>{inlines(runs)}</em> }.into_any(),
        Inline::Code(text) => view! { <code>{text}</code> }.into_any(),
        // The window follows no link: the address is shown, to be copied.
        Inline::Link { text, url } => match url {
            Some(url) => view! {
                <span class="help-link">{inlines(text)}</span>
                " "
                <span class="help-url" title="Copy this address into a browser">{format!("({url})")}</span>
            }
            .into_any(),
            None => view! { <span class="help-link">{inlines(text)}</span> }.into_any(),
        },
    }
}
