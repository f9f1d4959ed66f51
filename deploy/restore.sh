#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into a NEW, empty database and a new, empty upload folder.
#
#   deploy/restore.sh BACKUP_FOLDER TARGET_DATABASE_URL TARGET_UPLOAD_DIR
#
# It refuses a database that already has tables and an upload folder that is not empty, so it never
# mixes a backup into live data. The whole database is restored in one transaction: on any error
# nothing is restored. Afterwards point DATABASE_URL and UPLOAD_DIR at the restored copies and run
# `python app.py --migrate-only` (brings an older backup up to the current schema) before starting
# the app servers. README, Production, "Backups and restore", has the whole procedure.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
backup="$1"
upload_dir="$3"
database_url="$(sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#' <<<"$2")"

for file in database.dump uploads.tar.gz SHA256SUMS; do
  [ -f "$backup/$file" ] || { echo "$backup/$file is missing: not a backup made by backup.sh" >&2; exit 1; }
done
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || { echo "the backup's checksums do not match" >&2; exit 1; }

tables="$(psql --no-psqlrc --tuples-only --no-align --dbname="$database_url" \
  --command="SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
if [ "$tables" != "0" ]; then
  echo "the target database already has $tables tables: restore into a new, empty database (createdb)" >&2
  exit 1
fi
mkdir -p "$upload_dir"
if [ -n "$(ls -A "$upload_dir")" ]; then
  echo "the target upload folder $upload_dir is not empty: restore into a new, empty folder" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$database_url" "$backup/database.dump"
tar --extract --gzip --file="$backup/uploads.tar.gz" --directory="$upload_dir"
echo "restored $backup into the database and $upload_dir"
