#!/bin/bash
# browser.sh DRILL_DIR [FILE]: open the report's chart (timeline.svg, or
# FILE: history.svg) in headless Chromium, as
# GitHub shows it (an <img> of the report folder) and on its own, and print
# "ok WIDTHxHEIGHT painted=N" or what went wrong. N: the pixels of the
# image's first 600 rows that are not white, counted in a canvas.
d=$(cd "$1" && pwd)
svg=${2:-timeline.svg}
cat >"$d/.browser-check.html" <<'HTML'
<!doctype html><html><body>
<img id="c" src="SVGFILE">
<script>
var img = document.getElementById('c');
function done(t) { document.body.setAttribute('data-result', t); }
img.onerror = function () { done('error: the image did not load'); };
img.onload = function () {
  var w = img.naturalWidth, h = img.naturalHeight;
  if (!w || !h) { done('error: no size'); return; }
  var cv = document.createElement('canvas'); cv.width = w; cv.height = h;
  var cx = cv.getContext('2d'); cx.drawImage(img, 0, 0);
  var px = cx.getImageData(0, 0, w, Math.min(h, 600)).data, n = 0;
  for (var i = 0; i < px.length; i += 4)
    if (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240) n++;
  done('ok ' + w + 'x' + h + ' painted=' + n);
};
</script></body></html>
HTML
sed -i "s/SVGFILE/$svg/" "$d/.browser-check.html"
run() { timeout 90 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$d/.chromium" --allow-file-access-from-files \
	--virtual-time-budget=10000 --dump-dom "$1" 2>/dev/null; }
dom=$(run "file://$d/.browser-check.html")
res=$(printf '%s' "$dom" | grep -o 'data-result="[^"]*"' | sed 's/data-result="//; s/"$//')
# the SVG on its own: an XML error shows as a parsererror in the DOM
alone=$(run "file://$d/$svg")
rm -rf "$d/.browser-check.html" "$d/.chromium"
case "$alone" in
*parsererror*) echo "error: Chromium found an XML error in $svg"; exit 0;;
*"<svg"*) ;;
*) echo "error: Chromium showed no svg (${alone:0:200})"; exit 0;;
esac
echo "${res:-error: no result (${dom:0:200})}"
