#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ibt_check.sh MODULE.ko: shows from the module's disassembly, without IBT
# hardware, that portres can run on a kernel that enforces indirect branch
# tracking.  Such a kernel faults on an indirect call that lands on a
# function whose ENDBR64 the boot sealed, and it seals those of
# kallsyms_lookup_name() and of the functions portres hooks.  The module
# passes when:
#  - it makes no indirect call or jump, neither through a register or
#    memory nor through a retpoline thunk, but the paravirt calls through
#    pv_ops, which the kernel rewrites at load and whose targets are
#    address-taken (they keep their ENDBR64), and the one call of each
#    tracepoint's iterator, __traceiter_NAME (trace.c): the kernel's
#    DEFINE_TRACE_FN() makes it call each probe registered on the
#    tracepoint through its pointer, as the kernel's own tracepoints do,
#    and a probe is address-taken by being registered
#    (tracepoint_probe_register() stores its address), so the boot never
#    seals its ENDBR64;
#  - each wrapper calls its original, and the module calls
#    kallsyms_lookup_name(), through a static call: a direct call to the
#    static call's trampoline, which the kernel patches into a direct call
#    to the target; each hot hook's entry stub (kmod/hook_stub.S) calls
#    its policy and jumps to its wrapper directly.  The hooks are read
#    from kmod/hooks.def.
# Prints what it finds wrong and exits 1, or exits 0.
set -uo pipefail
ko=${1:?usage: ibt_check.sh MODULE.ko}
dis=$(objdump -dr --no-show-raw-insn "$ko") || exit 2
bad=0

# An indirect branch with the relocation of its operand, if any, on the
# next line (objdump -r prints it there).
indirect=$(awk '
	/^[0-9a-f]+ <.*>:$/ { fn = $2 }
	pending { if ($2 ~ /^R_X86_64/) reloc = $3; print fn, where, reloc; pending = 0 }
	/\t(notrack )?(call|jmp)[a-z]* +\*/ { pending = 1; where = $0; reloc = "-" }
	END { if (pending) print fn, where, reloc }
' <<<"$dis" | grep -v ' pv_ops+0x[0-9a-f]*$' | grep -v '^<__traceiter_[a-z0-9_]*>: ')
if [ -n "$indirect" ]; then
	echo "indirect calls or jumps:"
	echo "$indirect"
	bad=1
fi
thunks=$(awk '/^[0-9a-f]+ <.*>:$/ { fn = $2 }
	/R_X86_64_[A-Z0-9]+[[:space:]]+__x86_indirect_(call_|jump_)?thunk/ &&
	fn !~ /^<__traceiter_[a-z0-9_]*>:$/ { print fn, $0 }' <<<"$dis")
if [ -n "$thunks" ]; then
	echo "indirect calls through retpoline thunks:"
	echo "$thunks"
	bad=1
fi

# The calls into sealed functions: each through its static call.
calls_in() {	# calls_in FUNCTION: the call targets of FUNCTION, or of all
	awk -v f="<$1>:" '
		/^[0-9a-f]+ <.*>:$/ { inside = (f == "<*>:" || $2 == f) }
		inside && $2 ~ /^R_X86_64_(PLT|PC)32$/ { sub(/-0x4$/, "", $3); print $3 }
	' <<<"$dis"
}
# The hooks, from the list the module is built from: a hot hook's wrapper
# calls its original through its static call, and its entry stub calls its
# policy and jumps to its wrapper, both directly; the module calls the
# others' originals through theirs.
hooks=$(tr '\n\t' '  ' <"$(dirname "$0")/../kmod/hooks.def" |
	grep -o 'PORTRES_HOOK([a-z0-9_]*, *[a-z0-9_]*, *[a-z0-9_]*, *[a-z0-9_ ]*, *[0-9], *[A-Z0-9]*,' |
	sed 's/^PORTRES_HOOK(\([a-z0-9_]*\),.*, *\([A-Z0-9]*\),$/\1 \2/')
if [ -z "$hooks" ]; then
	echo "no hook found in kmod/hooks.def"
	exit 2
fi
pairs=('*:__SCT__portres_kallsyms_lookup_name')
while read -r name kind; do
	case $kind in
	HOT*) pairs+=("portres_${name}_wrap:__SCT__portres_orig_$name"
		      "portres_${name}_stub:portres_${name}_redirect"
		      "portres_${name}_stub:portres_${name}_wrap") ;;
	*) pairs+=("*:__SCT__portres_orig_$name") ;;
	esac
done <<<"$hooks"
for pair in "${pairs[@]}"; do
	fn=${pair%%:*} call=${pair#*:}
	if ! calls_in "$fn" | grep -x "$call" >/dev/null; then
		echo "${fn/#\*/the module} does not call $call directly"
		bad=1
	fi
done
exit $bad
