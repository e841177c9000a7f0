"""A throwaway dovecot IMAP server on loopback for e-mail intake tests.

Dovecot runs in the foreground as the current user with a configuration in a temporary folder:
passwd-file authentication with a plaintext password, a maildir, no TLS, no chroot. Everything
Dovecot would create under /run or /var is moved into that folder (base_dir, state_dir, logs).
See https://doc.dovecot.org/2.3/configuration_manual/howto/rootless_installation/.

Run as root (a CI container), dovecot refuses root for login processes ("This process must not
be run as root") and for mail access ("userdb returned 0 as uid"), so those use the packaged
dovenull/dovecot users and nobody, in a world-searchable folder outside pytest's private
tmp_path that stop() removes.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")
USER = "tickets@zhiku.test"
PASSWORD = "test-password-not-secret"  # plaintext on purpose: a loopback test server

CONFIG = """\
# Written by tests/customers/mailserver.py for one test run.
base_dir = {root}/run
state_dir = {root}/state
instance_name = zhiku-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = 0
mail_location = maildir:{root}/mail/%n
mail_uid = {uid}
mail_gid = {gid}

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%n
}}

service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  chroot =
}}
service submission-login {{
  chroot =
}}
service anvil {{
  chroot =
}}
service imap-urlauth-login {{
  chroot =
}}
"""


def _system_user(name: str) -> str:
    try:
        return pwd.getpwnam(name).pw_name
    except KeyError:
        return "nobody"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MailServer:
    root: Path
    host: str
    port: int
    user: str = USER
    password: str = PASSWORD
    process: subprocess.Popen | None = None
    temporary: bool = False  # root is ours to delete (outside pytest's tmp_path)

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver one message by IMAP APPEND, unread."""
        conn = self.connect()
        try:
            typ, data = conn.append(folder, "", None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> list[str]:
        """Return the flags of every message in the folder, in UID order."""
        conn = self.connect()
        try:
            conn.select(folder, readonly=True)
            typ, data = conn.uid("SEARCH", "ALL")
            uids = data[0].split()
            result = []
            for uid in uids:
                typ, fetched = conn.uid("FETCH", uid, "(FLAGS)")
                result.append(fetched[0].decode())
            return result
        finally:
            conn.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot(tmp_path: Path) -> MailServer:
    """Write a config, start dovecot in the foreground and wait until it answers."""
    uid, gid = os.getuid(), os.getgid()
    login_user = internal_user = pwd.getpwuid(uid).pw_name
    mail_uid, mail_gid = uid, gid
    temporary = uid == 0
    if temporary:
        # Dovecot's processes drop root, so they need a path they may traverse.
        root = Path(tempfile.mkdtemp(prefix="zhiku-dovecot-"))
        root.chmod(0o755)
        login_user, internal_user = _system_user("dovenull"), _system_user("dovecot")
        nobody = pwd.getpwnam("nobody")
        mail_uid, mail_gid = nobody.pw_uid, nobody.pw_gid
    else:
        root = tmp_path / "dovecot"
        root.mkdir(parents=True)
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    for name in ("mail", "home"):
        os.chown(root / name, mail_uid, mail_gid)
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root,
            port=port,
            login_user=login_user,
            internal_user=internal_user,
            uid=mail_uid,
            gid=mail_gid,
        )
    )
    passwd = root / "passwd"
    passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    passwd.chmod(0o644)  # read by the auth process as the internal user
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = MailServer(root=root, host="127.0.0.1", port=port, process=process)
    server.temporary = temporary
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            log = server.log()
            server.stop()
            raise RuntimeError(f"dovecot exited with {process.returncode}: {output}{log}")
        try:
            server.connect().logout()
            return server
        except (OSError, imaplib.IMAP4.error) as err:
            if time.monotonic() > deadline:
                log = server.log()
                server.stop()
                raise RuntimeError(f"dovecot did not answer on port {port}: {log}") from err
            time.sleep(0.1)
        except BaseException:
            server.stop()
            raise
