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
conf=/etc/portres.conf
echo "1..34"
echo "# portresctl test" > $conf

portresctl show >/tmp/out 2>&1 && has '(none)' /tmp/out &&
	has 'Protocol tcp Port Exclusion Ranges' /tmp/out
ok "show with nothing reserved"

portresctl monitor >/tmp/mon 2>/dev/null &
mon=$!
portresctl -j monitor >/tmp/monj 2>/dev/null &
monj=$!
sleep 1
resv_holder tcp 10 2 >/tmp/holder &
holder=$!
i=0; while [ ! -s /tmp/holder ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
read start token </tmp/holder
end=$((start + 9))
portresctl show tcp >/tmp/out 2>&1
ok "show tcp"
grep -E "^ *$start +$end +yes +2/10 +pid $holder \(resv_holder\) uid 0\$" /tmp/out >/dev/null
ok "show: block $start-$end, exclusive, 2 of 10 ports in use, owner pid, comm and uid"
portresctl -j show >/tmp/out 2>&1 &&
	has "\"protocol\":\"tcp\",\"start\":$start,\"end\":$end,\"count\":10,\"kind\":\"runtime\",\"exclusive\":true,\"token\":\"$token\",\"in_use\":2" /tmp/out &&
	has "\"owner\":{\"pid\":$holder,\"comm\":\"resv_holder\",\"uid\":0}" /tmp/out
ok "show -j: the same, with the token for root"
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
kill -INT $mon $monj
wait $mon
ok "monitor stops on SIGINT with status 0"
wait $monj
grep -E "^new tcp runtime $start-$end exclusive pid $holder \(resv_holder\) uid 0\$" /tmp/mon >/dev/null &&
	grep -E "^del tcp runtime $start-$end exclusive" /tmp/mon >/dev/null
ok "monitor saw the runtime reservation made and ended, with its owner"
has '^new udp persistent 61000-61004 exclusive$' /tmp/mon &&
	has '^del udp persistent 61000-61004 exclusive$' /tmp/mon
ok "monitor saw the persistent reservation made and deleted"
has '"event":"new","protocol":"udp","start":61000' /tmp/monj &&
	has '"event":"del","protocol":"udp","start":61000' /tmp/monj
ok "monitor -j prints JSON events"

bad=0
for args in "" "bogus" "add tcp 0 5" "add sctp 1 1" "add tcp 65535 2" \
	    "add tcp 100 1 shared" "show tcp extra" "delete tcp 1" \
	    "lookup tcp x 1" "add tcp 100 -1" "monitor now" "-j"; do
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
modprobe portres
rm -f $conf
exit $failed
