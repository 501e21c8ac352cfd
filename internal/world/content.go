package world

import (
	"fmt"
	"math/rand"
	"strings"
)

// Content generation: files that look like kernel C (license header,
// includes, defines, structs, functions with braces, comments and blank
// lines), headers, and plain text, so that diff heuristics and hunk
// anchoring behave as they do on a real tree. Generated statements name
// many identifiers, so most lines are unique within a file.

func pick[T any](r *rand.Rand, s []T) T { return s[r.Intn(len(s))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// code generates code for one area.
type code struct {
	r *rand.Rand
	a *area
}

func (c code) noun() string  { return pick(c.r, c.a.nouns) }
func (c code) field() string { return pick(c.r, fields) }
func (c code) verb() string  { return pick(c.r, verbs) }

func (c code) structName(noun string) string { return "struct " + c.a.ident + "_" + noun }

// funcName returns a function name not yet present in lines.
func (c code) funcName(lines []string) string {
	for try := 0; ; try++ {
		name := fmt.Sprintf("%s_%s_%s", c.a.ident, c.noun(), c.verb())
		if try > 3 || chance(c.r, 0.5) {
			name += "_" + c.field()
		}
		if try > 20 {
			name += fmt.Sprintf("_%d", c.r.Intn(1000))
		}
		if !containsToken(lines, name+"(") {
			return name
		}
	}
}

func containsToken(lines []string, tok string) bool {
	for _, l := range lines {
		if strings.Contains(l, tok) {
			return true
		}
	}
	return false
}

func (c code) expr(noun, field string) string {
	switch c.r.Intn(7) {
	case 0:
		return "0"
	case 1:
		return "attr->" + field
	case 2:
		return fmt.Sprintf("be32_to_cpu(%s->hw_%s)", noun, field)
	case 3:
		return fmt.Sprintf("dev->caps.%s", field)
	case 4:
		return fmt.Sprintf("%s_%s_get_%s(%s)", c.a.ident, noun, field, noun)
	case 5:
		return fmt.Sprintf("min_t(u32, %s->%s, %s)", noun, field, strings.ToUpper(c.a.ident+"_max_"+field))
	default:
		return fmt.Sprintf("%s->%s + 1", noun, field)
	}
}

// block generates one statement group inside a function working on noun.
// It reports which local declarations the group needs.
func (c code) block(fn, noun string, retInt bool, label string) (out []string, needs string) {
	f := c.field()
	v := c.verb()
	id := c.a.ident
	k := c.r.Intn(11)
	if !retInt && (k <= 1 || k == 3) {
		k = 4 + c.r.Intn(7) // a void function has no error to return
	}
	switch k {
	case 0, 1:
		call := fmt.Sprintf("%s_%s_%s_%s(dev, %s)", id, noun, v, f, noun)
		out = []string{"\terr = " + call + ";", "\tif (err) {",
			fmt.Sprintf("\t\t%s(dev, \"failed to %s %s %s, err %%d\\n\", err);", c.a.log, v, noun, f)}
		if label != "" && retInt {
			out = append(out, "\t\tgoto "+label+";")
		} else {
			out = append(out, "\t\treturn err;")
		}
		return append(out, "\t}"), "err"
	case 2:
		ret := "\t\treturn;"
		if retInt {
			ret = "\t\treturn " + pick(c.r, errCodes) + ";"
		}
		return []string{fmt.Sprintf("\tif (!%s->%s)", noun, f), ret}, ""
	case 3:
		return []string{fmt.Sprintf("\t%s->%s = kzalloc(sizeof(*%s->%s), %s);", noun, f, noun, f, pick(c.r, []string{"GFP_KERNEL", "GFP_KERNEL", "GFP_ATOMIC"})),
			fmt.Sprintf("\tif (!%s->%s)", noun, f), "\t\treturn -ENOMEM;"}, ""
	case 4:
		return []string{fmt.Sprintf("\tspin_lock_irqsave(&%s->lock, flags);", noun),
			fmt.Sprintf("\t%s->%s = %s;", noun, f, c.expr(noun, c.field())),
			fmt.Sprintf("\tspin_unlock_irqrestore(&%s->lock, flags);", noun)}, "flags"
	case 5:
		return []string{fmt.Sprintf("\t/* %s */", c.comment(noun, f)),
			fmt.Sprintf("\t%s_%s_%s(%s);", id, noun, v, noun)}, ""
	case 6:
		return []string{fmt.Sprintf("\tfor (i = 0; i < %s->num_%ss; i++)", noun, f),
			fmt.Sprintf("\t\t%s_%s_%s_one(%s, i);", id, noun, v, noun)}, "i"
	case 7:
		return []string{fmt.Sprintf("\tlist_add_tail(&%s->list, &dev->%s_list);", noun, f)}, ""
	case 8:
		return []string{fmt.Sprintf("\tmutex_lock(&dev->%s_mutex);", noun),
			fmt.Sprintf("\t%s_%s_%s_locked(dev, %s, %s);", id, noun, v, noun, pick(c.r, flagsWords)),
			fmt.Sprintf("\tmutex_unlock(&dev->%s_mutex);", noun)}, ""
	case 9:
		return []string{fmt.Sprintf("\t%s->%s = %s;", noun, f, c.expr(noun, c.field())),
			fmt.Sprintf("\t%s->%s = %s;", noun, c.field(), c.expr(noun, c.field()))}, ""
	default:
		return []string{fmt.Sprintf("\trefcount_inc(&%s->%s_ref);", noun, f)}, ""
	}
}

func (c code) comment(noun, field string) string {
	switch c.r.Intn(6) {
	case 0:
		return fmt.Sprintf("The %s must be quiesced before %s is updated", noun, field)
	case 1:
		return fmt.Sprintf("Firmware may report a %s %s here, ignore it", pick(c.r, adjectives), field)
	case 2:
		return fmt.Sprintf("Caller holds the %s lock", noun)
	case 3:
		return fmt.Sprintf("Make sure the %s is not used after %s", noun, pick(c.r, prose))
	case 4:
		return fmt.Sprintf("%s is only valid once the %s is armed", field, noun)
	default:
		return fmt.Sprintf("Pairs with the barrier in %s_%s_%s()", c.a.ident, noun, c.verb())
	}
}

// function generates a complete function named name.
func (c code) function(name string) []string {
	noun := c.noun()
	retInt := chance(c.r, 0.7)
	label := ""
	if retInt && chance(c.r, 0.4) {
		label = pick(c.r, labels)
	}
	var body []string
	needs := map[string]bool{}
	nb := 2 + c.r.Intn(5)
	for i := 0; i < nb; i++ {
		b, need := c.block(name, noun, retInt, label)
		if need != "" {
			needs[need] = true
		}
		if i > 0 && chance(c.r, 0.6) {
			body = append(body, "")
		}
		body = append(body, b...)
	}
	ret := "void"
	if retInt {
		ret = "int"
	}
	static := "static "
	if chance(c.r, 0.2) {
		static = ""
	}
	out := []string{fmt.Sprintf("%s%s %s(%s *dev, %s *%s)", static, ret, name, c.a.dev, c.structName(noun), noun), "{"}
	out = append(out, fmt.Sprintf("\tstruct %s_%s_attr *attr = &%s->attr;", c.a.ident, noun, noun))
	if needs["flags"] {
		out = append(out, "\tunsigned long flags;")
	}
	if needs["i"] {
		out = append(out, "\tint i;")
	}
	if retInt && (needs["err"] || label != "") {
		out = append(out, "\tint err;")
	}
	out = append(out, "")
	out = append(out, body...)
	out = append(out, "")
	if retInt {
		if needs["err"] || label != "" {
			out = append(out, "\treturn 0;")
		} else {
			out = append(out, "\treturn "+pick(c.r, []string{"0", "0", noun + "->" + c.field()})+";")
		}
		if label != "" {
			out = append(out, "", label+":", fmt.Sprintf("\t%s_%s_%s(dev, %s);", c.a.ident, noun, pick(c.r, []string{"free", "destroy", "cleanup", "put"}), noun), "\treturn err;")
		}
	}
	return append(out, "}")
}

func (c code) license(header bool) []string {
	lic := "GPL-2.0 OR Linux-OpenIB"
	if !c.a.rdma {
		lic = "GPL-2.0"
	}
	company := map[string]string{"nvidia.com": "NVIDIA CORPORATION & AFFILIATES", "intel.com": "Intel Corporation",
		"broadcom.com": "Broadcom", "amazon.com": "Amazon.com, Inc. or its affiliates", "oracle.com": "Oracle"}[c.a.domain]
	if company == "" {
		company = "The Linux Foundation"
	}
	spdx := "// SPDX-License-Identifier: " + lic
	if header {
		spdx = "/* SPDX-License-Identifier: " + lic + " */"
	}
	return []string{spdx, "/*", fmt.Sprintf(" * Copyright (c) %d-%d, %s. All rights reserved.", 2005+c.r.Intn(12), 2018+c.r.Intn(3), company), " */", ""}
}

// cFile generates a C source file of roughly target lines.
func (c code) cFile(target int) []string {
	out := c.license(false)
	for _, inc := range pickN(c.r, includes, 3+c.r.Intn(4)) {
		out = append(out, "#include "+inc)
	}
	out = append(out, fmt.Sprintf("#include \"%s.h\"", c.a.ident), "")
	for i := 0; i < 2+c.r.Intn(3); i++ {
		out = append(out, fmt.Sprintf("#define %s\t%d", strings.ToUpper(c.a.ident+"_"+c.noun()+"_"+c.field()), 1<<c.r.Intn(12)))
	}
	out = append(out, "")
	out = append(out, c.structDef(c.noun())...)
	for len(out) < target {
		out = append(out, "")
		out = append(out, c.function(c.funcName(out))...)
	}
	out = append(out, "", fmt.Sprintf("MODULE_DESCRIPTION(\"%s %s support\");", strings.ToUpper(c.a.ident), c.noun()))
	return out
}

func (c code) structDef(noun string) []string {
	out := []string{c.structName(noun) + "_ctx {"}
	seen := map[string]bool{}
	for i := 0; i < 3+c.r.Intn(6); i++ {
		f := c.field()
		if seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, fmt.Sprintf("\t%s %s;", pick(c.r, types), f))
	}
	return append(out, "};")
}

// hFile generates a header of roughly target lines.
func (c code) hFile(path string, target int) []string {
	guard := "_" + strings.ToUpper(strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(path))
	out := c.license(true)
	out = append(out, "#ifndef "+guard, "#define "+guard, "")
	for _, inc := range pickN(c.r, includes, 2+c.r.Intn(3)) {
		out = append(out, "#include "+inc)
	}
	out = append(out, "")
	for len(out) < target {
		switch c.r.Intn(4) {
		case 0:
			if n := len(out); n > 0 && out[n-1] != "" && !strings.HasPrefix(out[n-1], "#define") {
				out = append(out, "")
			}
			out = append(out, fmt.Sprintf("#define %s\t0x%x", strings.ToUpper(c.a.ident+"_"+c.noun()+"_"+c.field()+"_"+c.verb()), c.r.Intn(4096)))
		case 1:
			out = append(out, c.structDef(c.noun()+"_"+c.verb())...)
			out = append(out, "")
		case 2:
			n := c.noun()
			out = append(out, fmt.Sprintf("int %s_%s_%s_%s(%s *dev, %s *%s);", c.a.ident, n, c.verb(), c.field(), c.a.dev, c.structName(n), n))
			if chance(c.r, 0.3) {
				out = append(out, "")
			}
		default:
			n, f := c.noun(), c.field()
			out = append(out, fmt.Sprintf("static inline bool %s_%s_has_%s_%s(const %s *%s)", c.a.ident, n, c.verb(), f, c.structName(n), n),
				"{", fmt.Sprintf("\treturn %s->%s != 0;", n, f), "}", "")
		}
	}
	return append(out, "", "#endif /* "+guard+" */")
}

var words = strings.Fields(`the a device driver port queue pair completion memory region verbs interface kernel user
space firmware command interface is are can be must should will when if while during after before each every
this that these those RDMA InfiniBand RoCE transport connection manager address resolution path record
multicast group partition key link layer netlink attribute counter statistics resource tracking sysfs
entry locking rules apply to all callers provider core module parameter value default enabled disabled`)

// textFile generates prose lines in reStructuredText style.
func (c code) textDoc(title string, target int) []string {
	out := []string{"=" + strings.Repeat("=", len(title)) + "=", " " + title, "=" + strings.Repeat("=", len(title)) + "=", ""}
	for len(out) < target {
		if chance(c.r, 0.15) {
			h := strings.ToUpper(c.noun()[:1]) + c.noun()[1:] + " " + c.field()
			out = append(out, h, strings.Repeat("-", len(h)), "")
		}
		out = append(out, c.paragraph()...)
		out = append(out, "")
	}
	return out
}

func (c code) sentence() string {
	n := 8 + c.r.Intn(8)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = pick(c.r, words)
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (c code) paragraph() []string {
	var out []string
	line := ""
	for i := 0; i < 2+c.r.Intn(4); i++ {
		for _, w := range strings.Fields(c.sentence()) {
			if len(line)+len(w)+1 > 72 {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func pickN(r *rand.Rand, s []string, n int) []string {
	idx := r.Perm(len(s))[:min(n, len(s))]
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}

func maintainersFile(r *rand.Rand) []string {
	out := []string{"List of maintainers", "===================", ""}
	entries := []struct{ title, path string }{
		{"INFINIBAND SUBSYSTEM", "drivers/infiniband/"}, {"MELLANOX MLX5 IB driver", "drivers/infiniband/hw/mlx5/"},
		{"MELLANOX MLX5 core VPI driver", "drivers/net/ethernet/mellanox/mlx5/core/"}, {"MELLANOX MLX4 IB driver", "drivers/infiniband/hw/mlx4/"},
		{"MELLANOX ETHERNET DRIVER (mlx4_en)", "drivers/net/ethernet/mellanox/mlx4/"}, {"IPOIB DRIVER", "drivers/infiniband/ulp/ipoib/"},
		{"SCSI RDMA PROTOCOL (SRP) INITIATOR", "drivers/infiniband/ulp/srp/"}, {"ISCSI EXTENSIONS FOR RDMA (ISER) INITIATOR", "drivers/infiniband/ulp/iser/"},
		{"SOFT-ROCE DRIVER (rxe)", "drivers/infiniband/sw/rxe/"}, {"SOFT-IWARP DRIVER (siw)", "drivers/infiniband/sw/siw/"},
		{"HFI1 DRIVER", "drivers/infiniband/hw/hfi1/"}, {"INTEL ETHERNET PROTOCOL DRIVER FOR RDMA", "drivers/infiniband/hw/irdma/"},
		{"BROADCOM NETXTREME-E ROCE DRIVER", "drivers/infiniband/hw/bnxt_re/"}, {"AMAZON RDMA EFA DRIVER", "drivers/infiniband/hw/efa/"},
		{"RDS - RELIABLE DATAGRAM SOCKETS", "net/rds/"}, {"NFS, SUNRPC, AND LOCKD CLIENTS", "net/sunrpc/xprtrdma/"},
		{"EXT4 FILE SYSTEM", "fs/ext4/"}, {"MEMORY MANAGEMENT", "mm/"},
	}
	for _, e := range entries {
		m := pick(r, developers)
		out = append(out, e.title, fmt.Sprintf("M:\t%s <%s>", m.name, m.email), "L:\tlinux-rdma@vger.kernel.org",
			"S:\t"+pick(r, []string{"Supported", "Maintained", "Odd Fixes"}), "F:\t"+e.path, "")
	}
	return out
}

func makefile(version, patchlevel int) []string {
	return []string{"# SPDX-License-Identifier: GPL-2.0", fmt.Sprintf("VERSION = %d", version), fmt.Sprintf("PATCHLEVEL = %d", patchlevel),
		"SUBLEVEL = 0", "EXTRAVERSION =", "NAME = Synthetic RDMA World", "", "# *DOCUMENTATION*",
		"# To see a list of typical targets execute \"make help\"", "# More info can be located in ./README", ""}
}

func scriptFile() []string {
	return []string{"#!/bin/bash", "# SPDX-License-Identifier: GPL-2.0", "#", "# Check that RDMA devices follow network namespaces.", "",
		"set -e", "", "ip netns add rdma_test_ns", "rdma system set netns exclusive", "rdma dev set mlx5_0 netns rdma_test_ns",
		"ip netns exec rdma_test_ns rdma dev show", "ip netns del rdma_test_ns", "echo PASS"}
}

// binaryBlob returns n bytes of deterministic binary data with a header.
func binaryBlob(r *rand.Rand, header string, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	copy(b, header)
	b[len(header)] = 0
	return b
}
