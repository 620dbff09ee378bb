#!/bin/sh
# Refresh references.bib and commit it when it changed (for cron on a machine holding a clone).
#   17 3 * * *  $HOME/paper/examples/cron/refresh-and-commit.sh
# Exit codes are list2bib's: 0 done, 1 failure, 2 bad input/config, 3 --strict unresolved, 4 locked.
set -eu
cd "$(dirname "$0")/../.."
BIB=references.bib

.venv/bin/list2bib refresh README.md -o "$BIB" --changes /tmp/list2bib-changes.md -q

# The state file (what list2bib last wrote, when each work was checked) and the rename map
# (old key -> new key after a merge) belong with the bib: commit them together.
git add "$BIB" "$BIB.list2bib.json"
[ -f "$BIB.renames.json" ] && git add "$BIB.renames.json"
if ! git diff --cached --quiet; then
    git commit -q -F - <<MSG
references: nightly list2bib refresh

$(cat /tmp/list2bib-changes.md)
MSG
fi
