"""Plain-text quote and signature stripping, case by case (the corpus tests cover whole emails)."""
import pytest

from channels_adapters.email.quotes import is_forward, strip_reply


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Sim, pode trocar.\n\nEm 12/01/2026 09:30, Ana escreveu:\n> Posso trocar?", "Sim, pode trocar."),
        ("Vale.\n\nEl 12/1/2026 a las 9:30, Ana <ana@example.es> escribió:\n> ¿Vale?", "Vale."),
        ("Merci.\n\nLe lun. 12 janv. 2026 à 09:30, Ana <ana@example.fr> a écrit :\n> Bonjour", "Merci."),
        ("Ok\n\nOn Mon, Jan 12, 2026 at 9:30 AM Ana Souza <\nana@example.com> wrote:\n\n> hi", "Ok"),
        ("Thanks\n-----Original Message-----\nFrom: Ana\nSent: Monday\n\nhello", "Thanks"),
        ("Obrigado\n\nDe: Suporte <s@example.com>\nEnviado: segunda-feira\nPara: eu\n\nOlá", "Obrigado"),
        ("Done.\n\n> earlier text\n> more", "Done."),
        ("Fine\n\n-- \nAna Souza\nLoja Exemplo", "Fine"),
        ("Fine\n\nSent from my iPhone", "Fine"),
        ("Fine\n\nEnviado do meu Android", "Fine"),
    ],
)
def test_history_and_signatures_are_cut(text, shown):
    assert strip_reply(text) == shown


def test_inline_answers_between_quotes_are_kept():
    text = "> Which size?\nM, please.\n> Which colour?\nBlue."
    assert strip_reply(text) == text


def test_a_long_block_after_dashes_is_content_not_a_signature():
    text = "Log below\n--\n" + "\n".join(f"line {n}" for n in range(20))
    assert strip_reply(text) == text


def test_a_message_that_is_only_a_quote_is_kept_whole():
    assert strip_reply("> just a quote\n> nothing else") == "> just a quote\n> nothing else"


@pytest.mark.parametrize("subject, forwarded", [("Fwd: boleto", True), ("ENC: nota", True), ("RV: pedido", True),
                                                ("Re: boleto", False), ("Fwdx: no", False), ("", False)])
def test_forwards_are_recognised_by_subject(subject, forwarded):
    assert is_forward(subject) is forwarded
