# Every command answers --help and `help CMD`; bad usage exits 2.
for c in $("$SHAKEDOWN" --help | awk '/^Commands:/{f=1;next} f&&/^  /{print $1}'); do
	out=$("$SHAKEDOWN" "$c" --help); rc=$?
	eq "$c --help exits 0" 0 "$rc"
	contains "$c --help prints its usage" "usage: shakedown $c" "$out"
	contains "help $c matches --help" "$out" "$("$SHAKEDOWN" help "$c")"
done
"$SHAKEDOWN" no-such-command >/dev/null 2>&1; eq "unknown command exits 2" 2 $?
"$SHAKEDOWN" --no-such-flag >/dev/null 2>&1; eq "unknown global option exits 2" 2 $?
"$SHAKEDOWN" target --no-such-flag >/dev/null 2>&1; eq "unknown command option exits 2" 2 $?
"$SHAKEDOWN" target --bug nonsense >/dev/null 2>&1; eq "unknown --bug exits 2" 2 $?
contains "--version" "shakedown " "$("$SHAKEDOWN" --version)"
if [ -w /dev/full ]; then
	"$SHAKEDOWN" --help >/dev/full 2>/dev/null; eq "write failure on stdout is an error" 1 $?
fi
# every command has a man page whose synopsis names each of its long options
for c in $("$SHAKEDOWN" --help | awk '/^Commands:/{f=1;next} f&&/^  /{print $1}'); do
	page=$here/../../man/shakedown-$c.1
	ok "man page for $c exists" test -f "$page"
	for opt in $("$SHAKEDOWN" help "$c" | head -1 | grep -o -- '--[a-z-]*' | sort -u); do
		contains "man page of $c has $opt" "Fl -${opt#--}" "$(cat "$page" 2>/dev/null)"
	done
done
