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


def test_the_corpus_has_threads_colleagues_strangers_and_latin1():
    parsed = [email.message_from_bytes(mail, policy=policy.default) for mail in email_corpus.generate(2_000)]
    replies = [message for message in parsed if message["In-Reply-To"]]
    senders = [str(message["From"].addresses[0].username) for message in replies]
    assert 500 <= len(replies) <= 700
    assert 80 <= sum(sender.startswith("colleague") for sender in senders) <= 150
    assert 10 <= sum(sender.startswith("stranger") for sender in senders) <= 50
    assert sum(message.get_body(("plain",)).get_content_charset() == "iso-8859-1" for message in parsed) >= 200
    languages = {"Olá": 0, "Hola": 0, "Hello": 0}
    for message in parsed:
        text = message.get_body(("plain",)).get_content()
        for word in languages:
            languages[word] += word in text
    assert min(languages.values()) >= 400


def test_another_domain_is_the_same_corpus_from_other_people():
    one, other = email_corpus.generate(20), email_corpus.generate(20, domain="imap.example")
    assert b"@imap.example" in other[0] and b"@mail.example" not in other[0]
    assert len(one) == len(other)
