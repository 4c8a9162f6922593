"""What the user sees after answering a prompt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalog import Catalog, Stretch, TextBlock
from bot.domain.progression import Answer
from bot.telegram_html import visible_length
from bot.views import callback_data as cb
from bot.views.html import bold, esc
from bot.views.prompt import answer_keyboard
from bot.views.stretch_card import CAPTION_LIMIT, MESSAGE_LIMIT, OURS_MARKER, render_card

STATUS = {
    Answer.DONE: "✅ Done",
    Answer.EASIER: "🪶 Easier",
    Answer.SKIP: "⏭ Skipped",
    Answer.LATER: "⏰ Later",
    Answer.HURTS: "🤕 It hurts",
}

PRAISE = "Well done! 💪"


def status_line(given: Answer, at_local: datetime, again_local: datetime | None = None) -> str:
    """The answer as shown on the prompt: when it was given (the user's local time), or for
    Later, when the prompt comes again."""
    if given is Answer.LATER and again_local is not None:
        return f"{STATUS[given]} · again at {again_local:%H:%M}"
    return f"{STATUS[given]} · {at_local:%H:%M}"


def answered_prompt(
    catalog: Catalog, stretch_id: str | None, status: str
) -> tuple[str, bool] | None:
    """The prompt's message with the answer shown under it: (html, is_caption), or None when
    it can't be rebuilt or would not fit (then only the buttons are replaced)."""
    if stretch_id is None or stretch_id not in catalog:
        return None
    card = render_card(catalog, stretch_id)
    body, limit = (
        (card.caption_html, CAPTION_LIMIT)
        if card.follow_up_html is None
        else (card.follow_up_html, MESSAGE_LIMIT)
    )
    html = f"{body}\n\n{bold(status)}"
    if visible_length(html) > limit:
        return None
    return html, card.follow_up_html is None


UNDO_LABEL = "↩️ Undo"


def undo_keyboard(undo_id: int | None) -> InlineKeyboardMarkup | None:
    """Under an answered prompt or question: take the answer back (for 10 minutes)."""
    if undo_id is None:
        return None
    undo = cb.build(cb.UNDO, str(undo_id))
    return InlineKeyboardMarkup([[InlineKeyboardButton(UNDO_LABEL, callback_data=undo)]])


def status_keyboard(status: str, undo_id: int | None = None) -> InlineKeyboardMarkup:
    """For a prompt whose text can't take the status line: one inert button that says it."""
    rows = [[InlineKeyboardButton(status, callback_data=cb.build(cb.NOOP))]]
    if undo_id is not None:
        rows.append(
            [InlineKeyboardButton(UNDO_LABEL, callback_data=cb.build(cb.UNDO, str(undo_id)))]
        )
    return InlineKeyboardMarkup(rows)


def reopened_prompt(
    catalog: Catalog, stretch_id: str | None, delivery_id: int
) -> tuple[str | None, InlineKeyboardMarkup]:
    """The prompt as it was sent, after Undo: its words (None if the pack no longer has the
    stretch: then only the buttons come back) and its answer buttons."""
    if stretch_id is None or stretch_id not in catalog:
        return None, answer_keyboard(delivery_id)
    card = render_card(catalog, stretch_id)
    html = card.caption_html if card.follow_up_html is None else card.follow_up_html
    return html, answer_keyboard(delivery_id, card.buttons)


def question_again(
    stronger: bool, offered: Stretch, offer_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A follow-up question, asked again after Undo took its answer back."""
    if stronger:
        return done(offered, offer_id)
    text = f"An easier variation might suit you: {bold(offered.title)}."
    try_it = cb.build(cb.TRY_EASIER, str(offer_id))
    return text, InlineKeyboardMarkup(
        [[InlineKeyboardButton("🪶 Try the easier one", callback_data=try_it)]]
    )


def done(offer: Stretch | None, offer_id: int | None) -> tuple[str, InlineKeyboardMarkup | None]:
    if offer is None or offer_id is None:
        return PRAISE, None
    text = (
        f"{PRAISE} You've done this regularly without trouble. Ready for the stronger "
        f"variation, {bold(offer.title)}?"
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "💪 Yes", callback_data=cb.build(cb.STRONGER, f"{offer_id}:yes")
                ),
                InlineKeyboardButton(
                    "Not yet", callback_data=cb.build(cb.STRONGER, f"{offer_id}:no")
                ),
            ]
        ]
    )
    return text, markup


def stronger_chosen(stretch: Stretch) -> str:
    return f"💪 From now on you'll get {bold(stretch.title)}. /settings can change it back."


def stronger_declined() -> str:
    return "No problem: we'll stay with this one for now."


def _tips(tips: Sequence[str]) -> str:
    return "\n".join(f"💡 {esc(tip)}" for tip in tips)


def easier(easier_stretch: Stretch | None, tips: Sequence[str]) -> str:
    if easier_stretch is not None:
        return (
            f"Here's the easier variation, {bold(easier_stretch.title)}. "
            "You'll get this one from now on."
        )
    # Easier is only offered where there is a variation or a tip (bot.views.prompt).
    return (
        "The clinic's sheet has no easier variation of this stretch, but its own tips may "
        f"help:\n{_tips(tips)}\nIf it's still too much today, ⏭ Skip is fine."
    )


def later(at_local: datetime) -> str:
    return f"⏰ OK, I'll send it again at {at_local:%H:%M}."


def later_refused() -> str:
    return "This one was already a reminder. Done or Skip?"


def skipped() -> str:
    return "Skipped. The next one will be a different stretch."


def hurts(
    stretch: Stretch,
    easier_stretch: Stretch | None,
    safety: Sequence[TextBlock],
    offer_id: int | None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [
        f"Sorry it hurts. I won't send {bold(stretch.title)} again until you turn it back on "
        "in /settings.",
        "",
        f"<i>{esc(OURS_MARKER)}</i>",
        *(f"• {esc(block.text)}" for block in safety),
    ]
    markup = None
    if easier_stretch is not None and offer_id is not None:
        lines += ["", f"An easier variation might suit you: {bold(easier_stretch.title)}."]
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "🪶 Try the easier one",
                        callback_data=cb.build(cb.TRY_EASIER, str(offer_id)),
                    )
                ]
            ]
        )
    return "\n".join(lines), markup


def nothing_to_answer() -> str:
    return (
        "There's no stretch waiting for an answer right now. /next sends one now; "
        "/settings shows when the next one comes."
    )


REFUSALS = {
    "out_of_date": "This button doesn't work any more.",
    "nothing_open": nothing_to_answer(),
    "unknown": "This prompt isn't there any more.",
    "not_yours": "This button isn't yours.",
    "not_sent": "This prompt was never delivered, so there's nothing to answer.",
    "already": "Already noted. 🙂",
    "undo_changed": "Your programme has changed since, so this answer stays.",
    "undo_too_late": "More than 10 minutes have passed, so this answer stays.",
    "undo_already": "Already undone.",
    "nothing_easier": (
        "The clinic's sheet has nothing easier for this stretch. ✅ Done, ⏭ Skip or 🤕 It hurts "
        "still work."
    ),
}
