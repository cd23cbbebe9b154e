package nabla

import (
	"fmt"

	"github.com/nabla-containers/runnc/nabla-lib/solo5elf"
)

// Annotations of the nabla exec handler.
const (
	// AnnotationLegacy "true" opts a note-less unikernel in as a Nabla-era
	// (Solo5 v0.4) guest: nabla-run --nabla-legacy, rumprun CONFIG.
	AnnotationLegacy = "org.nabla.runnc.legacy"
	// AnnotationNetDevice and AnnotationBlockDevice name the manifest
	// device that gets the container's NIC and rootfs disk when the
	// unikernel declares several of that type.
	AnnotationNetDevice   = "org.nabla.runnc.net-device"
	AnnotationBlockDevice = "org.nabla.runnc.block-device"
	// AnnotationUnikernelType says how a plain Solo5 unikernel takes its
	// command line: "mirage" (MirageOS boot parameters, with the address
	// taken over from eth0) or "rumprun" (a rumprun CONFIG document).
	AnnotationUnikernelType = "org.nabla.runnc.unikernel-type"
)

// form is how the tender is told to boot the unikernel and what its
// command line is; it is saved in the exec state at create.
type form string

const (
	formSolo5   form = "solo5"   // ARGS = the command line
	formMirage  form = "mirage"  // ARGS = --ipv4=... --ipv4-gateway=... and the command line
	formRunnc   form = "runnc"   // one ARG: CONFIG with runnc's argv and files
	formRumprun form = "rumprun" // one ARG: CONFIG with only the keys rumprun knows
	formLegacy  form = "legacy"  // --nabla-legacy, KERNEL and a rumprun CONFIG
)

// config reports whether the form's command line is one CONFIG document.
func (f form) config() bool { return f == formRunnc || f == formRumprun || f == formLegacy }

// formOf decides the form by the unikernel's notes; the annotations only
// choose among what the notes allow.
func formOf(u *solo5elf.Unikernel, entry string, annotations map[string]string, urunc uruncConfig) (form, error) {
	legacy := annotations[AnnotationLegacy]
	if legacy != "" && legacy != "true" && legacy != "false" {
		return "", fmt.Errorf("annotation %s=%q is neither true nor false", AnnotationLegacy, legacy)
	}
	kind := u.Kind()
	switch {
	case kind == solo5elf.NoNotes && legacy != "true":
		return "", fmt.Errorf("entrypoint %s has no Solo5 notes, so it is not a Solo5 spt unikernel: if it is a Nabla-era (Solo5 v0.4) one, set the annotation %s=true", entry, AnnotationLegacy)
	case kind == solo5elf.NoNotes:
		return formLegacy, nil
	case legacy == "true":
		return "", fmt.Errorf("entrypoint %s is a %s unikernel, not a Nabla-era one: remove the annotation %s", entry, kind, AnnotationLegacy)
	case kind == solo5elf.RunncSDK:
		return formRunnc, nil
	}
	typ := annotations[AnnotationUnikernelType]
	own := typ != ""
	if !own {
		typ = urunc.Type
	}
	switch form(typ) {
	case formMirage, formRumprun:
		return form(typ), nil
	}
	if own {
		return "", fmt.Errorf("annotation %s=%q is not a unikernel type runnc knows: use mirage or rumprun, or leave it out", AnnotationUnikernelType, typ)
	}
	// urunc's other types (unikraft, linux, ...) run on other monitors.
	return formSolo5, nil
}
