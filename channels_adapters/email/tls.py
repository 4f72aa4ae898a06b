"""TLS towards the channel's own mail servers (IMAP and SMTP): certificates always checked."""
import ssl

from cryptography import x509

SECURITY_MODES = ("none", "starttls", "ssl")


def client_context(config):
    """A client context that verifies the server's certificate and name, against the system's CAs or, when the
    channel names one (`tls_ca_pem`, for a mail server with a private CA), against that CA only."""
    return ssl.create_default_context(cadata=config.get("tls_ca_pem") or None)


def check_ca_pem(config, errors):
    pem = config.get("tls_ca_pem") or ""
    if not pem:
        return
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        errors["tls_ca_pem"] = "must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)"
        return
    if not certificates:
        errors["tls_ca_pem"] = "must hold at least one certificate"
