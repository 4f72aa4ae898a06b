"""Figure 5's mail corpus: the same every run, and every mail is one the stdlib can read."""
import email
from email import policy

from bench import email_corpus


def test_the_corpus_is_deterministic_varied_and_parseable():
    mails = email_corpus.generate(60)
    parsed = [email.message_from_bytes(mail, policy=policy.default) for mail in mails]
    again = [email.message_from_bytes(mail, policy=policy.default) for mail in email_corpus.generate(60)]
    ids = [message["Message-ID"] for message in parsed]
    assert ids == [message["Message-ID"] for message in again]
    assert [message.get_body(("plain",)).get_content() for message in parsed] == [
        message.get_body(("plain",)).get_content() for message in again]
    assert len(set(ids)) == 60
    assert any(message["In-Reply-To"] in ids for message in parsed)
    assert any(message.get_body(("html",)) is not None for message in parsed)
    assert any(list(message.iter_attachments()) for message in parsed)
    assert all(message["To"] == email_corpus.MAILBOX and message.get_body(("plain",)) for message in parsed)
