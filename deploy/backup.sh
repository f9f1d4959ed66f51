#!/usr/bin/env bash
# Back up the charity site: the PostgreSQL database (pg_dump, custom format) and the upload folder.
#
#   deploy/backup.sh [BACKUP_DIR]
#
# Environment (the systemd unit loads /etc/charity-site/env): DATABASE_URL, UPLOAD_DIR,
# BACKUP_DIR (default /var/backups/charity-site), BACKUP_KEEP_DAYS (default 14; 0 keeps all).
# Writes BACKUP_DIR/charity-<UTC time>/ with database.dump, uploads.tar.gz and SHA256SUMS, prints
# that folder, and removes backups older than BACKUP_KEEP_DAYS. Restore with deploy/restore.sh.
# Copy the backups off the server as well (another host, object storage): a backup on the same
# disk does not survive the disk.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${UPLOAD_DIR:?UPLOAD_DIR is not set}"
backup_root="${1:-${BACKUP_DIR:-/var/backups/charity-site}}"
keep_days="${BACKUP_KEEP_DAYS:-14}"

# The app accepts postgres:// and postgresql+psycopg://; pg_dump wants postgresql://.
libpq_url() { sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#' <<<"$1"; }
case "$DATABASE_URL" in
  postgres*) ;;
  *) echo "backup.sh backs up PostgreSQL; DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac

umask 077
target="$backup_root/charity-$(date -u +%Y%m%d-%H%M%S)"
partial="$target.partial"
mkdir -p "$partial"
trap 'rm -rf "$partial"' EXIT

# The database first, then the files: an upload is written before its database row, and files are
# never removed, so every file the dumped database names is in the archive taken after it.
pg_dump --format=custom --no-owner --no-privileges --file="$partial/database.dump" "$(libpq_url "$DATABASE_URL")"
tar --create --gzip --file="$partial/uploads.tar.gz" --directory="$UPLOAD_DIR" .
(cd "$partial" && sha256sum database.dump uploads.tar.gz >SHA256SUMS)
mv "$partial" "$target"
trap - EXIT

if [ "$keep_days" -gt 0 ]; then
  find "$backup_root" -mindepth 1 -maxdepth 1 -type d -name 'charity-*' ! -name '*.partial' \
    -mtime +"$keep_days" -exec rm -rf {} +
fi
echo "$target"
