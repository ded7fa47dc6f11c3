#!/bin/bash
# Runs inside the freshly bootstrapped root file system (chroot) after rootfs/ was copied over it:
# turns Debian's defaults into what the test servers need, then strips what a test never reads.
set -euo pipefail

# Postfix: no peer name lookups (nothing to resolve them), a log file instead of syslog, IPv4
# only, and no trace of the build machine's name (myhostname falls back to the container's).
postconf -e \
  'smtpd_peername_lookup = no' \
  'maillog_file = /var/log/postfix.log' \
  'inet_interfaces = all' \
  'inet_protocols = ipv4' \
  'myorigin = $myhostname' \
  'mydestination = $myhostname, localhost.localdomain, localhost'
postconf -X myhostname
rm -f /etc/mailname

# Mail as Ruche's driver expects it (the same script sets up a real server), then what only a
# test server needs: nothing leaves the machine. Mail for other domains (bounces included) is
# taken and held in the queue (deferred transports never connect, nor look anything up).
chmod 0755 /usr/local/sbin/ruche-mail-setup
/usr/local/sbin/ruche-mail-setup
postconf -e 'defer_transports = smtp relay'

# PostgreSQL: clients log in over the network with their password (SCRAM), on the container's
# IPv4 interfaces (tests reach it through a port published on 127.0.0.1); the administrator
# (postgres) only through the unix socket. No JIT, whose LLVM libraries are a fifth of the image
# and are removed below.
for cluster in /etc/postgresql/*/main; do
  mkdir -p "$cluster/conf.d"
  printf "# Ruche test server\nlisten_addresses = '0.0.0.0'\npassword_encryption = 'scram-sha-256'\njit = off\n" >"$cluster/conf.d/ruche.conf"
  cat >>"$cluster/pg_hba.conf" <<'HBA'
# Ruche: database users log in from anywhere with their password; postgres never over the network.
host    all             postgres        0.0.0.0/0               reject
host    all             all             0.0.0.0/0               scram-sha-256
HBA
done
rm -rf /usr/lib/postgresql/*/lib/llvmjit* /usr/lib/postgresql/*/lib/bitcode
rm -f /usr/lib/x86_64-linux-gnu/libLLVM-*.so* /usr/lib/x86_64-linux-gnu/libz3.so*

# MariaDB: Debian's postinst made the data folder with a 96 MiB redo log; made again with the
# 16 MiB one of 99-ruche.cnf (same accounts: root through its unix socket; --cross-bootstrap
# leaves out accounts named after the build machine).
install -d -o mysql -g adm -m 2750 /var/log/mysql # named by 99-ruche.cnf; Debian logs to the journal
find /var/lib/mysql -mindepth 1 -not -name 'debian-*.flag' -delete
mariadb-install-db --user=mysql --skip-test-db --disable-log-bin --cross-bootstrap >/var/tmp/mariadb-install-db.log 2>&1 ||
  { cat /var/tmp/mariadb-install-db.log; exit 1; }

# Knot: the zone folders our knot.conf names; an empty include folder must still exist.
install -d -o knot -g knot /var/lib/knot/zones /var/log/knot
install -d /etc/knot/zones.d
rm -rf /var/lib/knot/confdb # a configuration database would take precedence over knot.conf

# sshd: pam_loginuid cannot write /proc/self/loginuid in a container, which would end every
# session right after authentication.
sed -i 's/^session\s\+required\s\+pam_loginuid.so/session optional pam_loginuid.so/' /etc/pam.d/sshd
# Host keys are generated per container at start (ssh-keygen -A), never shared through the image.
rm -f /etc/ssh/ssh_host_*

chmod 0755 /usr/local/sbin/ruche-server-start

# Nothing of the build machine: its name, its resolver, a machine id.
rm -f /etc/hostname /etc/resolv.conf
: >/etc/machine-id

# Size: package lists, caches, documentation, logs of the build.
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/lib/dpkg/*-old
find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
find /usr/share/doc -mindepth 1 -type d -empty -delete
rm -rf /usr/share/man/* /usr/share/info/* /usr/share/lintian/* /usr/share/locale/*
find /var/log -type f -exec truncate -s 0 {} +
rm -rf /tmp/* /var/tmp/*
