#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# portresctl in the QEMU guest, against reservations made by test programs.
# Prints TAP.  Runs in the initial network namespace; cleans up after itself.
n=0 failed=0
ok() {	# ok DESCRIPTION (status of the previous command)
	if [ $? -eq 0 ]; then
		n=$((n + 1)); echo "ok $n $1"
	else
		n=$((n + 1)); failed=1; echo "not ok $n $1"
	fi
}
has() { grep -q -- "$1" "$2"; }
has_f() { grep -qF -- "$1" "$2"; }	# has_f STRING FILE: no pattern
printable() {	# printable FILE: printable ASCII and new lines, nothing else
	[ "$(tr -d '\n\040-\176' <"$1" | wc -c)" -eq 0 ]
}
conf=/etc/portres.conf
echo "1..60"
echo "# portresctl test" > $conf

portresctl show >/tmp/out 2>&1 && has '(none)' /tmp/out &&
	has 'Protocol tcp Port Exclusion Ranges' /tmp/out
ok "show with nothing reserved"

portresctl monitor >/tmp/mon 2>/dev/null &
mon=$!
portresctl -j monitor >/tmp/monj 2>/dev/null &
monj=$!
portresctl monitor -t >/tmp/mont 2>/dev/null &
mont=$!
portresctl monitor --json --timestamp >/tmp/montj 2>/dev/null &
montj=$!
sleep 1
resv_holder tcp 10 2 >/tmp/holder &
holder=$!
i=0; while [ ! -s /tmp/holder ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
read start token </tmp/holder
end=$((start + 9))
portresctl show tcp >/tmp/out 2>&1
ok "show tcp"
grep -E "^ *$start +$end +yes +2/10 +pid $holder \(resv_holder\) user root\$" /tmp/out >/dev/null
ok "show: block $start-$end, exclusive, 2 of 10 ports in use, owner pid, comm and user name"
portresctl show -N tcp >/tmp/out 2>&1 &&
	grep -E "^ *$start +$end +yes +2/10 +pid $holder \(resv_holder\) uid 0\$" /tmp/out >/dev/null
ok "show -N: the owner's uid as a number"
portresctl -j show >/tmp/out 2>&1 &&
	has "\"protocol\":\"tcp\",\"start\":$start,\"end\":$end,\"count\":10,\"kind\":\"runtime\",\"exclusive\":true,\"token\":\"$token\",\"in_use\":2" /tmp/out &&
	has "\"owner\":{\"pid\":$holder,\"comm\":\"resv_holder\",\"uid\":0,\"user\":\"root\"}" /tmp/out
ok "show -j: the same, with the token for root, the uid and its name"
portresctl show --json -N >/tmp/out2 2>&1 &&
	has "\"owner\":{\"pid\":$holder,\"comm\":\"resv_holder\",\"uid\":0}" /tmp/out2
ok "show --json -N: options after the command; the uid without its name"
portresctl -j show tcp >/tmp/a 2>&1 && portresctl show tcp -j >/tmp/b 2>&1 &&
	cmp -s /tmp/a /tmp/b && has "\"start\":$start" /tmp/b
ok "show tcp -j: -j after the command's words, the same JSON"
portresctl -p show tcp >/tmp/out2 2>&1 && resv_holder json-text /tmp/out2 &&
	! resv_holder json /tmp/out2 2>/dev/null &&
	has_f "        \"start\": $start," /tmp/out2 && has_f '    {' /tmp/out2 &&
	has_f "            \"user\": \"root\"" /tmp/out2 && [ "$(tail -n 1 /tmp/out2)" = "]" ]
ok "show -p: pretty JSON, indented a level per object, valid"
portresctl show port $((start + 3)) >/tmp/out2 2>&1 &&
	grep -E "^ *$start +$end +yes" /tmp/out2 >/dev/null &&
	[ "$(grep -c '(none)' /tmp/out2)" = 1 ] && has 'Protocol udp' /tmp/out2
ok "show port N: the block holding port N (the udp table empty)"
portresctl show udp port $((start + 3)) >/tmp/out2 2>&1 && has '(none)' /tmp/out2 &&
	! has 'Protocol tcp' /tmp/out2 &&
	portresctl -j show port $((end + 1)) tcp >/tmp/out2 2>&1 && [ "$(cat /tmp/out2)" = "[]" ]
ok "show udp port N, show port N tcp: none outside the block or of the other protocol"
portresctl -j show runtime >/tmp/out2 2>&1 && has "\"start\":$start" /tmp/out2 &&
	portresctl -j show persistent tcp >/tmp/out2 2>&1 && ! has "\"start\":$start" /tmp/out2
ok "show runtime, show persistent tcp: by kind"
as_nobody portresctl -j show >/tmp/out 2>&1 && has "\"start\":$start" /tmp/out &&
	! has '"token"' /tmp/out
ok "show -j as nobody: no token"
! has '"owner"' /tmp/out && as_nobody portresctl show tcp >/tmp/out2 2>&1 &&
	grep -E "^ *$start +$end +yes +2/10 +-\$" /tmp/out2 >/dev/null
ok "show as nobody: no owner of root's block (text and JSON)"
grep -o '"ports":\[[0-9,]*\]' /tmp/out | grep -qE "^\"ports\":\[$start,$((start + 1))\]\$"
ok "show -j: the ports in use"

kill $holder; wait $holder 2>/dev/null
portresctl show tcp >/tmp/out 2>&1 && ! has "$start" /tmp/out
ok "the holder's death ends its reservation"

# A command name is any 15 bytes a process likes (prctl(PR_SET_NAME)): one
# that would drive a terminal (ESC, BEL, a new line, quote and backslash,
# C1's CSI in UTF-8), with bytes that are no UTF-8 and an "e" acute that is;
# one of nothing but bad UTF-8 (DEL, overlong, surrogate, past U+10FFFF,
# cut short).  Text escapes them (the C locale: all past ASCII), JSON stays
# valid UTF-8.  Each holds /dev/portres open too, for holders.
name1=$(printf '\033]0;p\007\n"\\\377\376\303\251\302\233')
name2=$(printf '\177\300\257\355\240\200\364\220\200\200\342\202')
text1='\x1b]0;p\x07\x0a"\\\xff\xfe\xc3\xa9\xc2\x9b'
text2='\x7f\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82'
json1=$(printf '%s\303\251%s' '\u001b]0;p\u0007\u000a\"\\\ufffd\ufffd' '\u009b')
json2='\u007f\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd'
resv_holder tcp 3 0 "$name1" >/tmp/named1 3</dev/portres &
named1=$!
resv_holder udp 2 0 "$name2" >/tmp/named2 3</dev/portres &
named2=$!
i=0; while { [ ! -s /tmp/named1 ] || [ ! -s /tmp/named2 ]; } && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
export LC_ALL=C
portresctl show >/tmp/out 2>&1 && printable /tmp/out &&
	has_f "pid $named1 ($text1) user root" /tmp/out &&
	has_f "pid $named2 ($text2) user root" /tmp/out
ok "show: a name's control characters and bad UTF-8 escaped"
portresctl -j show >/tmp/out 2>&1 && resv_holder json /tmp/out &&
	has_f "\"owner\":{\"pid\":$named1,\"comm\":\"$json1\",\"uid\":0," /tmp/out &&
	has_f "\"owner\":{\"pid\":$named2,\"comm\":\"$json2\",\"uid\":0," /tmp/out
ok "show -j: valid JSON in UTF-8, the name's UTF-8 kept, bad bytes U+FFFD"
portresctl holders >/tmp/out 2>&1 && printable /tmp/out &&
	has_f "pid $named1 comm $text1 descriptors 1" /tmp/out &&
	has_f "pid $named2 comm $text2 descriptors 1" /tmp/out
ok "holders: the name escaped"
portresctl -j holders >/tmp/out 2>&1 && resv_holder json /tmp/out &&
	has_f "{\"pid\":$named1,\"comm\":\"$json1\",\"descriptors\":1}" /tmp/out &&
	has_f "{\"pid\":$named2,\"comm\":\"$json2\",\"descriptors\":1}" /tmp/out
ok "holders -j: valid JSON in UTF-8"
kill $named1 $named2; wait $named1 $named2 2>/dev/null

cp $conf /tmp/conf.before 2>/dev/null || : >/tmp/conf.before
portresctl add udp 61000 5 exclusive >/tmp/out 2>&1 && has 'udp 61000-61004 token' /tmp/out
ok "add udp 61000 5 exclusive"
utoken=$(sed -n 's/.* token //p' /tmp/out)
has '^udp 61000 5 exclusive$' $conf
ok "add writes the configuration file"
portresctl lookup udp 61000 5 >/tmp/out 2>&1 && has "token $utoken" /tmp/out
ok "lookup finds the same token"
portresctl show udp >/tmp/out 2>&1 &&
	grep -E '^ *61000 +61004 \* +yes +0/5 +-$' /tmp/out >/dev/null
ok "show marks the persistent block with *"
portresctl add udp 61002 5 >/tmp/out 2>&1
[ $? -eq 1 ] && has 'Address already in use' /tmp/out && has 'overlaps' /tmp/out
ok "add over a reservation: exit 1, errno and extended ack"
as_nobody portresctl add tcp 61100 1 >/tmp/out 2>&1
[ $? -eq 1 ] && has 'Permission denied' /tmp/out && has 'CAP_NET_ADMIN' /tmp/out
ok "add as nobody: exit 1, permission denied, CAP_NET_ADMIN"
portresctl lookup tcp 61100 1 >/dev/null 2>&1
[ $? -eq 1 ]
ok "a refused add leaves nothing reserved"
as_nobody portresctl delete udp 61000 5 >/tmp/out 2>&1
[ $? -eq 1 ] && has 'Permission denied' /tmp/out
ok "delete as nobody: exit 1"
as_nobody portresctl lookup udp 61000 5 >/tmp/out 2>&1 && has "token $utoken" /tmp/out
ok "lookup as nobody works"
portresctl delete udp 61000 5 >/tmp/out 2>&1
ok "delete udp 61000 5"
cmp -s $conf /tmp/conf.before
ok "delete takes the line out of the configuration file, nothing else"
portresctl lookup udp 61000 5 >/tmp/out 2>&1
[ $? -eq 1 ] && has 'No such file or directory' /tmp/out &&
	has 'no persistent reservation of exactly that block' /tmp/out
ok "lookup after delete: exit 1 with the kernel's message"
portresctl delete udp 61000 5 >/tmp/out 2>&1
[ $? -eq 1 ]
ok "delete twice: exit 1"

sleep 1
kill -INT $mon $monj $mont $montj
wait $mon
ok "monitor stops on SIGINT with status 0"
wait $monj $mont $montj
ts='[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{6\}[+-][0-9][0-9]:[0-9][0-9]'
[ "$(grep -c . /tmp/mont)" = "$(grep -c . /tmp/mon)" ] &&
	! grep -v "^$ts [nd][e][wl] " /tmp/mont | grep -q . &&
	grep -q "^$ts new udp persistent 61000-61004 exclusive\$" /tmp/mont
ok "monitor -t: each event begins with its time (RFC 3339, microseconds)"
resv_holder json /tmp/montj &&
	grep -q "^{\"time\":\"$ts\",\"event\":\"new\",\"protocol\":\"udp\",\"start\":61000" /tmp/montj
ok "monitor --json --timestamp: a time field before the event"
grep -E "^new tcp runtime $start-$end exclusive pid $holder \(resv_holder\) user root\$" /tmp/mon >/dev/null &&
	grep -E "^del tcp runtime $start-$end exclusive" /tmp/mon >/dev/null
ok "monitor saw the runtime reservation made and ended, with its owner"
has '^new udp persistent 61000-61004 exclusive$' /tmp/mon &&
	has '^del udp persistent 61000-61004 exclusive$' /tmp/mon
ok "monitor saw the persistent reservation made and deleted"
has '"event":"new","protocol":"udp","start":61000' /tmp/monj &&
	has '"event":"del","protocol":"udp","start":61000' /tmp/monj
ok "monitor -j prints JSON events"
printable /tmp/mon && has_f "pid $named1 ($text1) user root" /tmp/mon &&
	has_f "pid $named2 ($text2) user root" /tmp/mon
ok "monitor: names escaped"
resv_holder json /tmp/monj && has_f "\"comm\":\"$json1\"" /tmp/monj &&
	has_f "\"comm\":\"$json2\"" /tmp/monj
ok "monitor -j: valid JSON in UTF-8"

bad=0
for args in "" "bogus" "add tcp 0 5" "add sctp 1 1" "add tcp 65535 2" \
	    "add tcp 100 1 shared" "show tcp extra" "delete tcp 1" \
	    "lookup tcp x 1" "add tcp 100 -1" "monitor now" "-j" "show port" \
	    "show port 0" "show runtime persistent" "show tcp udp" "--check show" \
	    "show -n" "-V show" "--bogus show" "restore a b"; do
	portresctl $args >/tmp/out 2>&1
	rc=$?
	if [ $rc -ne 2 ] || ! has 'usage:' /tmp/out; then
		echo "# portresctl $args: status $rc"
		bad=1
	fi
done
[ $bad -eq 0 ]
ok "bad arguments: exit 2 with the usage"
portresctl --help >/tmp/out && has 'usage:' /tmp/out
ok "--help prints the usage"
portresctl show >/tmp/out 2>&1 && has '(none)' /tmp/out && ! has '61000' /tmp/out
ok "nothing is left reserved"

# What holds the module: an open /dev/portres, never a library user.
resv_holder udp 4 1 >/tmp/holder2 &
holder2=$!
i=0; while [ ! -s /tmp/holder2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 30 3</dev/portres &
raw=$!
sleep 0.5
portresctl holders >/tmp/out 2>&1 && has "^pid $raw comm sleep descriptors 1\$" /tmp/out &&
	! has resv_holder /tmp/out
ok "holders: the process with /dev/portres open, not the library's user"
portresctl -j holders >/tmp/out 2>&1 &&
	has "{\"pid\":$raw,\"comm\":\"sleep\",\"descriptors\":1}" /tmp/out
ok "holders -j"
rmmod portres 2>/dev/null
[ $? -ne 0 ] && [ -d /sys/module/portres ]
ok "an open /dev/portres keeps the module loaded"
kill $raw; wait $raw 2>/dev/null
rmmod portres && [ ! -d /sys/module/portres ]
ok "unloads under a library user with a live reservation and a bound associated socket"
kill $holder2; wait $holder2 2>/dev/null
modprobe portres

modprobe -r portres
portresctl show >/tmp/out 2>&1 && [ -d /sys/module/portres ]
ok "without the module: portresctl loads it on demand (its generic netlink alias)"
modprobe -r portres
modprobe_path=$(cat /proc/sys/kernel/modprobe)
echo /bin/false >/proc/sys/kernel/modprobe
portresctl show >/tmp/out 2>&1
[ $? -eq 1 ] && has 'module is not loaded' /tmp/out
ok "when it cannot be loaded: exit 1, says so"
echo "$modprobe_path" >/proc/sys/kernel/modprobe

# -V loads nothing: without the module it says so.
portresctl -V >/tmp/out 2>&1 && has '^portresctl [0-9.]*, ABI version [0-9][0-9]*$' /tmp/out &&
	has '^module portres: not loaded$' /tmp/out && [ ! -d /sys/module/portres ]
# The tool's ABI, which the module it was built with has too.
abi=$(sed -n 's/^portresctl [0-9.]*, ABI version \([0-9]*\)$/\1/p' /tmp/out)
ok "-V without the module: the tool's version and ABI, the module not loaded, and not loaded by -V"

# restore --check reads the file without the module: no /dev/portres, no
# netlink (which would load the module).
printf '%s\n' '# good' 'tcp 8080 10' 'udp 8080 10 exclusive' 'tcp 8090 1' \
	'tcp 8080 10' >/tmp/good.conf
printf '%s\n' 'tcp 8080 10' 'tcp 9000 0' 'udp 1 2' 'tcp 8089 2' 'sctp 1 1' \
	'udp 1 2 exclusive' 'tcp 1 1 shared' >/tmp/bad.conf
portresctl restore --check /tmp/good.conf >/tmp/out 2>&1 && [ ! -s /tmp/out ] &&
	[ ! -d /sys/module/portres ] && [ ! -e /dev/portres ]
ok "restore --check: a good file, exit 0, silent, the module not loaded"
portresctl restore /tmp/bad.conf --check >/tmp/out 2>&1
[ $? -eq 1 ] && [ ! -d /sys/module/portres ] &&
	has_f '/tmp/bad.conf:2: count must be a number from 1 up' /tmp/out &&
	has_f "/tmp/bad.conf:4: tcp 8089-8090 overlaps line 1's tcp 8080-8089" /tmp/out &&
	has_f '/tmp/bad.conf:5: protocol must be tcp or udp' /tmp/out &&
	has_f "/tmp/bad.conf:6: udp 1-2 differs in \"exclusive\" from line 3's udp 1-2" /tmp/out &&
	has_f '/tmp/bad.conf:7: the fourth word can only be "exclusive"' /tmp/out &&
	[ "$(wc -l </tmp/out)" -eq 5 ]
ok "restore --check: FILE:LINE: why for each bad line and overlap, exit 1, no module"
portresctl -c restore /nonexistent >/tmp/out 2>&1
[ $? -eq 1 ] && has_f '/nonexistent: No such file or directory' /tmp/out &&
	PORTRES_CONF=/nonexistent portresctl restore --check >/tmp/out 2>&1 && [ ! -s /tmp/out ]
ok "restore --check: a named file that does not exist is an error, a missing default file is not"
modprobe portres
portresctl restore /nonexistent >/tmp/out 2>&1
[ $? -eq 1 ] && has_f '/nonexistent: No such file or directory' /tmp/out
ok "restore of a named file that does not exist: exit 1"

# -V with the module: its version (sysfs) and ABI (/dev/portres).
modver=$(cat /sys/module/portres/version)
portresctl -V >/tmp/out 2>&1 &&
	[ -n "$abi" ] && has "^module portres $modver, ABI version $abi\$" /tmp/out &&
	portresctl -V -j >/tmp/out 2>&1 && resv_holder json /tmp/out &&
	has "\"module\":{\"loaded\":true,\"version\":\"$modver\",\"abi\":$abi}" /tmp/out
ok "-V with the module: its version and ABI (text and JSON)"

# -n NETNS, as ip -n: a pid, a path, a name in /run/netns.
unshare -n sleep 60 &
nspid=$!
sleep 0.5
cp $conf /tmp/conf.before
portresctl -n $nspid add tcp 62100 2 >/tmp/out 2>&1 && has 'tcp 62100-62101 token' /tmp/out &&
	portresctl -n $nspid show tcp >/tmp/out 2>&1 && grep -qE '^ *62100 +62101 \*' /tmp/out &&
	portresctl show tcp >/tmp/out 2>&1 && ! has 62100 /tmp/out &&
	cmp -s $conf /tmp/conf.before
ok "-n PID: add and show in that process's namespace, not here, not in the file"
mkdir -p /run/netns && touch /run/netns/pt && mount --bind /proc/$nspid/ns/net /run/netns/pt &&
	portresctl lookup tcp 62100 2 -n pt >/tmp/out 2>&1 && has 'token' /tmp/out &&
	portresctl --netns /proc/$nspid/ns/net -j show >/tmp/out 2>&1 && has '"start":62100' /tmp/out
ok "-n NAME (/run/netns) and --netns PATH, after the command too"
portresctl -n nosuchns show >/tmp/out 2>&1
[ $? -eq 1 ] && has 'nosuchns' /tmp/out
ok "-n of no namespace: exit 1, says which"
umount /run/netns/pt; rm -f /run/netns/pt
kill $nspid; wait $nspid 2>/dev/null

# A module reload restores the file through what udev and systemd run:
# the rule's SYSTEMD_WANTS names the unit, whose ExecStart the guest's
# init runs (selftests/qemu/guest-init), logged in /tmp/portres-restore.log.
echo 'tcp 62200 3' >>$conf
runs=$(grep -c . /tmp/portres-restore.log 2>/dev/null)
modprobe -r portres && modprobe portres
i=0; while ! portresctl lookup tcp 62200 3 >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
portresctl lookup tcp 62200 3 >/tmp/out 2>&1 &&
	[ "$(grep -c . /tmp/portres-restore.log)" -gt "${runs:-0}" ] &&
	[ "$(tail -n 1 /tmp/portres-restore.log)" = "/tests/portresctl restore" ]
ok "a reload restores the file: the udev rule's unit runs portresctl restore"
portresctl delete tcp 62200 3 >/dev/null 2>&1

# The state file decides what root reserves at boot: one that users other
# than its owner may write is not applied.
mkdir -p /tmp/state && chmod 755 /tmp/state && echo 'tcp 62300 2' >/tmp/state/s.conf
chmod 666 /tmp/state/s.conf
PORTRES_STATE=/tmp/state/s.conf portresctl restore >/tmp/out 2>&1
[ $? -eq 1 ] && has_f 'not applied: users other than its owner may write it' /tmp/out &&
	! portresctl lookup tcp 62300 2 >/dev/null 2>&1 &&
	chmod 644 /tmp/state/s.conf && chmod 777 /tmp/state &&
	! PORTRES_STATE=/tmp/state/s.conf portresctl restore >/dev/null 2>&1 &&
	! portresctl lookup tcp 62300 2 >/dev/null 2>&1 &&
	chmod 755 /tmp/state && PORTRES_STATE=/tmp/state/s.conf portresctl restore >/tmp/out 2>&1 &&
	portresctl lookup tcp 62300 2 >/dev/null 2>&1
ok "restore: a state file others may write, or in a directory others may write, is not applied"
portresctl delete tcp 62300 2 >/dev/null 2>&1
rm -rf /tmp/state
rm -f $conf
exit $failed
