"""Real mail servers on 127.0.0.1 for the email tests: aiosmtpd (SMTP) and Dovecot (IMAP) in a temp dir."""
import base64
import datetime
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IMAP_USER = "support"
IMAP_PASSWORD = "imap-pass-0123456789"
SMTP_USER = "mailer"
SMTP_PASSWORD = "smtp-pass-0123456789"
# Bounded waits for a server process to come up or go away (readiness, not a timed assertion).
WAIT_STEPS = 200
WAIT_STEP_SECONDS = 0.05


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(check, what):
    for _ in range(WAIT_STEPS):
        if check():
            return
        time.sleep(WAIT_STEP_SECONDS)
    raise RuntimeError(f"gave up waiting for {what}")


def _port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpScript:
    """What the fake SMTP server answers: RCPT replies are consumed in order (then 250)."""

    rcpt_replies: list = field(default_factory=list)
    received: list = field(default_factory=list)
    logins: list = field(default_factory=list)


class RecordingHandler:
    def __init__(self, script, bearer_check=None):
        self.script = script
        self.bearer_check = bearer_check  # (user, token) -> bool, for XOAUTH2 logins

    async def auth_XOAUTH2(self, server, args):
        """SASL XOAUTH2 (Gmail, Microsoft 365): "user=<user>\\1auth=Bearer <token>\\1\\1", base64, as the initial response."""
        if self.bearer_check is None or len(args) < 2:
            return AuthResult(success=False, handled=False)
        try:
            fields = dict(part.split("=", 1) for part in base64.b64decode(args[1]).decode().split("\x01") if part)
        except (ValueError, UnicodeDecodeError):
            return AuthResult(success=False, handled=False)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        ok = self.bearer_check(user, token)
        self.script.logins.append((user.encode(), ok))
        return AuthResult(success=ok, handled=False, auth_data=user)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.script.rcpt_replies:
            reply = self.script.rcpt_replies.pop(0)
            if not reply.startswith("250"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.script.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def self_signed_tls_context(directory):
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (trusted by nobody)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@dataclass
class TestAuthority:
    """A certificate authority made for one test, and a server certificate for 127.0.0.1 it signed."""

    ca_pem: str
    cert_file: Path
    key_file: Path

    def server_context(self):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def certificate_authority(directory, server_name="127.0.0.1"):
    """A fresh CA and a certificate for `server_name` (an IP address or a host name) signed by it."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OmniDesk test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    try:
        alt_name = x509.IPAddress(ipaddress.ip_address(server_name))
    except ValueError:
        alt_name = x509.DNSName(server_name)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_name)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([alt_name]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory = Path(directory)
    cert_file, key_file = directory / "server-cert.pem", directory / "server-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return TestAuthority(ca.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file)


class SmtpServer:
    def __init__(self, require_auth=False, tls_context=None, bearer_check=None):
        self.script = SmtpScript()
        self.port = free_port()

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login, auth_data.password) == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
            self.script.logins.append((auth_data.login, ok))
            return AuthResult(success=ok, handled=False)

        self.controller = Controller(
            RecordingHandler(self.script, bearer_check), hostname="127.0.0.1", port=self.port,
            authenticator=authenticate, auth_required=require_auth, auth_require_tls=False,
            tls_context=tls_context, require_starttls=tls_context is not None,
        )

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Dovecot:
    """A private Dovecot instance: passwd-file user, maildir, IMAP on a free port.

    With `tls` (a TestAuthority), the IMAP port offers STARTTLS and `tls_port` speaks implicit TLS. With
    `introspection_url`, it also takes XOAUTH2/OAUTHBEARER logins, each bearer token checked there (RFC 7662).
    """

    def __init__(self, tls=None, introspection_url="", user=IMAP_USER):
        self.root = Path(tempfile.mkdtemp(prefix="omnidesk-dovecot-"))
        self.root.chmod(0o755)  # Dovecot's unprivileged processes must reach the maildir
        self.port = free_port()
        self.tls = tls
        self.tls_port = free_port() if tls else 0
        self.introspection_url = introspection_url
        self.user = user
        self.mail_dir = self.root / "mail"
        self.mail_dir.mkdir()
        self.config_file = self.root / "dovecot.conf"
        self._write_config()

    def _users(self):
        """(login user, internal user, mail uid, mail gid): unprivileged users, whoever runs the tests."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid

        def existing(name, fallback="nobody"):
            try:
                return pwd.getpwnam(name)
            except KeyError:
                return pwd.getpwnam(fallback)

        mail_user = pwd.getpwnam("nobody")
        return existing("dovenull").pw_name, existing("dovecot").pw_name, mail_user.pw_uid, mail_user.pw_gid

    def _write_config(self):
        login_user, internal_user, uid, gid = self._users()
        if os.geteuid() == 0:
            os.chown(self.mail_dir, uid, gid)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{IMAP_PASSWORD}\n")
        internal_group = grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name
        self.config_file.write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = omnidesk-test-{self.port}
protocols = imap
listen = 127.0.0.1
{self._ssl_settings()}
disable_plaintext_auth = no
auth_mechanisms = plain login{" xoauth2 oauthbearer" if self.introspection_url else ""}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
log_path = {self.root}/dovecot.log
mail_location = maildir:{self.mail_dir}/%u
{self._oauth_passdb()}passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.mail_dir}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
  unix_listener stats-reader {{
    user = {internal_user}
  }}
  unix_listener stats-writer {{
    user = {internal_user}
  }}
}}
""")

    def _oauth_passdb(self):
        if not self.introspection_url:
            return ""
        settings_file = self.root / "dovecot-oauth2.conf.ext"
        settings_file.write_text(f"""introspection_mode = post
introspection_url = {self.introspection_url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
""")
        return f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {settings_file}\n}}\n"

    def _ssl_settings(self):
        if not self.tls:
            return "ssl = no"
        return f"ssl = yes\nssl_cert = <{self.tls.cert_file}\nssl_key = <{self.tls.key_file}"

    @property
    def pid_file(self):
        return self.root / "run" / "master.pid"

    def start(self):
        # The daemon's children keep its output open: a file, not a pipe, or run() never returns.
        with open(self.root / "startup.log", "ab") as log:
            subprocess.run([DOVECOT, "-c", str(self.config_file)], check=True, stdout=log, stderr=log)
        _wait_until(lambda: _port_open(self.port), "Dovecot to listen")

    def stop(self):
        if not self.pid_file.exists():
            return
        pid = int(self.pid_file.read_text().strip())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return

        def gone():
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            return False

        _wait_until(gone, "Dovecot to stop")

    def renumber(self):
        """Make Dovecot give the INBOX a new UIDVALIDITY (as after a mailbox rebuild or migration)."""
        self.stop()
        maildir = self.mail_dir / self.user
        for name in os.listdir(maildir):
            if name.startswith(("dovecot-uidlist", "dovecot.index", "dovecot-uidvalidity")):
                (maildir / name).unlink()
        self.start()

    def client(self):
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(self.user, IMAP_PASSWORD)
        return client

    def append(self, raw, folder="INBOX"):
        client = self.client()
        try:
            status, _ = client.append(folder, None, None, raw)
            assert status == "OK"
        finally:
            client.logout()

    def uids(self, criteria="ALL", folder="INBOX"):
        client = self.client()
        try:
            client.select(folder)
            _, data = client.uid("SEARCH", criteria)
            return [int(uid) for uid in data[0].split()]
        finally:
            client.logout()

    def create_folder(self, name):
        client = self.client()
        try:
            client.create(name)
        finally:
            client.logout()

    def close(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
