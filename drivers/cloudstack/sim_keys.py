"""SSH key material for the CloudStack simulator.

createSSHKeyPair must hand out a private key a client can really use, so the
simulator makes real RSA key pairs: with the ``cryptography`` package when it
is importable, else with ``ssh-keygen`` (OpenSSH). Only when neither exists
does it fall back to a placeholder that says so in its PEM body, so nobody
mistakes it for a usable key.

Fingerprints follow CloudStack's ``SSHKeysHelper.getPublicKeyFingerprint``:
the MD5 of the base64-decoded key blob as colon-separated lowercase hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import shutil
import subprocess
import tempfile

#: Key length CloudStack uses for createSSHKeyPair (``ssh.key.length`` default).
KEY_BITS = 2048

#: Key types CloudStack's ``getPublicKeyFromKeyMaterial`` accepts.
KEY_TYPES = ("ssh-rsa", "ssh-dss", "ssh-ed25519", "ecdsa-sha2-nistp256",
             "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")


def normalise_public_key(material: str) -> str | None:
    """``"<type> <base64>"`` from OpenSSH key material, or None when it is not a public key.

    Like CloudStack, material without a space is taken as base64 of the key
    line; the comment is dropped. Unlike CloudStack (whose decoder skips
    garbage), a blob that is not base64 or does not start with its own type
    name is refused too.
    """
    material = material.strip()
    if " " not in material:
        try:
            material = base64.b64decode(material, validate=True).decode("ascii").strip()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
    parts = material.split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    type_len = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if blob[4:4 + type_len] != parts[0].encode("ascii"):
        return None
    return f"{parts[0]} {parts[1]}"


def fingerprint(public_key: str) -> str:
    """CloudStack's fingerprint of a normalised public key: MD5 of the blob, ``aa:bb:…``."""
    blob = base64.b64decode(public_key.split()[1])
    return ":".join(f"{byte:02x}" for byte in hashlib.md5(blob).digest())


def generate_rsa_keypair(bits: int = KEY_BITS) -> tuple[str, str]:
    """A new RSA key pair: (PKCS#1 PEM private key, ``ssh-rsa …`` public key)."""
    try:
        return _with_cryptography(bits)
    except ImportError:
        pass
    keygen = shutil.which("ssh-keygen")
    if keygen:
        return _with_ssh_keygen(keygen, bits)
    return _placeholder()


def _with_cryptography(bits: int) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode("ascii")
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode("ascii")
    return private, public


def _with_ssh_keygen(keygen: str, bits: int) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="cs-sim-key-") as tmp:
        path = os.path.join(tmp, "key")
        subprocess.run([keygen, "-q", "-t", "rsa", "-b", str(bits), "-m", "PEM", "-N", "",
                        "-C", "", "-f", path], check=True, capture_output=True, timeout=60)
        with open(path, encoding="ascii") as private, \
                open(path + ".pub", encoding="ascii") as public:
            return private.read(), " ".join(public.read().split()[:2])


def _placeholder() -> tuple[str, str]:
    """A syntactically plausible but unusable pair, marked as such in the PEM body."""
    type_name = b"ssh-rsa"
    blob = (len(type_name).to_bytes(4, "big") + type_name
            + (3).to_bytes(4, "big") + b"\x01\x00\x01"
            + (257).to_bytes(4, "big") + b"\x00" + secrets.token_bytes(256))
    public = "ssh-rsa " + base64.b64encode(blob).decode("ascii")
    private = ("-----BEGIN RSA PRIVATE KEY-----\n"
               "SIMULATOR-PLACEHOLDER: neither the cryptography package nor ssh-keygen\n"
               "was available, so this is not a usable private key.\n"
               "-----END RSA PRIVATE KEY-----\n")
    return private, public
