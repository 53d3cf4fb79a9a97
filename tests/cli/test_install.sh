# make install puts every binary and man page under DESTDIR/PREFIX.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
run make -s install B="$BQ_BUILD" DESTDIR="$T/inst" PREFIX=/opt/bq
check_rc 0 "make install into a staging DESTDIR"
for b in "$BQ_BIN"/bq-*; do
	t=$(basename "$b")
	if [ -x "$T/inst/opt/bq/bin/$t" ]; then ok "$t installed"; else not_ok "$t installed"; fi
	if [ -f "$T/inst/opt/bq/share/man/man1/$t.1" ]; then ok "$t(1) installed"; else not_ok "$t(1) installed"; fi
done
if [ -f "$T/inst/opt/bq/share/man/man7/bq.7" ]; then ok "bq(7) installed"; else not_ok "bq(7) installed"; fi
run "$T/inst/opt/bq/bin/bq-cost" --version
check_rc 0 "an installed binary runs"
check_grep '^bq-cost [0-9]' "$T/out" "... and says its version"
