package main

import "strings"

// runProfile is what the steps of one run (create, start, wait, delete
// of hello; the steps group times them) are made of, and what is left of
// the growth with a thousand containers: a profile taken by hand (the
// text says how), not measured again by each bench run.
var runProfile = Section{Title: "Where a run goes: what its steps are made of, and the floor left (profiled 2026-12-05 and -06)", Body: strings.Join([]string{
	"The steps group above times a run step by step in every bench run, from runnc's --debug log. What the steps are made of, " +
		"from profiles taken by hand (perf trace and strace -f for the system calls; a C probe for the kernel's share, each " +
		"operation alone, median of 100; builds with more timestamps, not kept in the tree):",
	"",
	"| step | what it is made of |",
	"|---|---|",
	"| exec → command line read (create, start, delete) | the Go runtime's start and package inits (the next section): an empty static Go program takes 5.4-6 ms to main |",
	"| exit (→ reaped) | the Go runtime's exit and the kernel's teardown of 5-6 threads and the address space (an empty program: 0.85 ms from main); create's holds the last save of state.json and the pid file's write, and start's runs beside the tender's boot on the other core |",
	"| create: config.json | encoding/json's first decode in a process builds its view of every struct type the input reaches (about 1.5 ms), then runc's specconv (0.1 ms) |",
	"| create: state directory … saved | without linux.cgroupsPath, opencontainers/cgroups' fs manager finds each hierarchy's path relative to runnc's own: /proc/self/cgroup read 18 times and each of 15 controllers' mountpoint checked, about 1.5 ms (0.8 ms with an absolute cgroupsPath, as engines give; since the third session of 2026-12-06 runnc reads it once for a bundle without one, below); the first save encodes runc's configs.Config, about 1.1 ms of codecs; a save is 5 system calls |",
	"| create: FsCreate, delete: FsDestroy | the disk image's user marker on the disk directory's file system (ext4 here): create makes its marker in the image's users directory, delete removes it and marks the image unused (until the third session of 2026-12-06 create also made the users directory and delete removed it: below); a metadata operation on ext4 takes 0.01-0.05 ms, an rmdir 0.33 ms |",
	"| create: cgroup | mkdir in 9 hierarchies 0.27 ms, cpuset.cpus and .mems copied 0.09 (probe); with no other cpuset cgroup on the host, the cpuset's mkdir turns the kernel's cpusets_enabled static key on and patches the kernel's text (perf: static_key_slow_inc_cpuslocked, __text_poke), 1.5-1.8 ms on this VM against 0.015 ms while another cpuset exists or for 10 ms after the last went: runc pays it alike |",
	"| create: init | the new network namespace 0.46 ms (probe), the clone into the v2 cgroup and exec of runnc-init (a static musl program; by syscall.ForkExec since 2026-12-06: os/exec's first start in a process probed the kernel's pidfd support with a vfork of its own, and this step took 2.27 ms against 1.84 now, 40 creates each by --debug steps), init's start time read, a save |",
	"| create: ready | init writes \"0\" to the tasks file of its 8 v1 hierarchies, 0.37 ms of writes (probe) |",
	"| create: NetworkRun | a thread in init's network namespace, one netlink dump of its links: no eth0 in a new namespace |",
	"| start: state loaded, fifo | the process's first decode of state.json (2.6 KB, its codecs built); the lock, the state read again, the exec fifo opened |",
	"| delete: config | runc's configs.Config decoded, building all its codecs, about 1 ms |",
	"",
	"Floor: the three starts of a Go program and their exits are about three fifths of the run (the steps group). At the empty " +
		"program's 6.6 ms each (start and exit) they would be 20 ms, 0.2× runc's run, which leaves 15 ms of the 0.33× target for " +
		"all of runnc's own work, about 20 ms now, spread over a dozen steps of 0.5 to 3 ms. Its largest part is encoding/json " +
		"building codecs in each fresh process (about 5 ms: config.json, configs.Config encoded at create and decoded at delete, " +
		"state decoded at start and delete). The kernel's own share (netns, cgroups, clone, exec of init and tender) is about 3 ms.",
	"",
	"The floor measured (the lifecycle group's floor column, in every run since 2026-12-06): three starts and exits of a Go " +
		"program made of runnc's libraries (the startup group's last column) and nabla-run's boot of hello, in the same rounds " +
		"as the runtimes, took 36.6 ms in the full run of 2026-12-06 at 35b7986, 31.5 ms at 6a8bbfc and 32.7 ms at 7eae518: " +
		"0.34×, 0.32× and 0.34× runc's run, before any work of runnc's own and without the kernel's share (its network namespace, cgroup " +
		"directories and the clone of init, about 3 ms, 0.03×, which runc pays too); one such start and the boot, the floor of " +
		"one `run` call, 13.1, 10.7 and 11.5 ms, 0.17-0.18×. So the run as an engine drives it cannot reach 0.33× while runnc is " +
		"started three times as a Go program made of these libraries: the floor alone is the target. (Since the second " +
		"session of 2026-12-06 the floor's program is linked as runnc is, its heap on huge pages (internal/firsttouch), and " +
		"the runtimes' state roots are on tmpfs: at ffb3bc3 the floor took 25.1 ms, 0.28×, and 9.28 ms, 0.17×, for one " +
		"call; the run 39.5 ms, 0.45×, 14 ms above it, and one `run` call 20.6 ms, 0.37×, 11 ms above it. At be624ac, the third session's " +
		"changes in (below): the floor 26.7 ms, 0.28×, and 9.61 ms, 0.15×; the run 39.0 ms, 0.41×, 12.3 ms above it, and one `run` " +
		"call 20.6 ms against runc's 63.4, 0.32×, 11 ms above it; at bb25c3e the floor 30.5 ms, 0.27×, and 11.2 ms, 0.16×, " +
		"the run 47.1 ms, 0.42×, and one call 26.0 ms against 71.4, 0.36×, 15 ms above its floor.) One `run` call (0.51× and " +
		"0.50×, 37.1 and 31.9 ms) is 21-24 ms above its floor: the rest of runnc's start above the libraries' " +
		"(about 3 ms), the kernel's share (3-5 ms) and runnc's own steps (the timeline below). Measured by hand the same day, " +
		"one of them: planning the cgroup of a bundle without linux.cgroupsPath took 1.56 ms (median of 15 `run` calls), " +
		"opencontainers/cgroups reading /proc/self/cgroup once per hierarchy (fs.NewManager in a fresh process: 1.5-2.1 ms with " +
		"a relative path, 1.0-1.5 ms with an absolute one, as engines give, 0.2-0.3 ms warm).",
	"",
	"One `run` call (the lifecycle group's second row: runnc run of hello in the foreground, which creates, starts, waits " +
		"and deletes in one process) is 0.55-0.56× runc run of busybox echo (32.8-33.6 ms against 59.9-60.3, two runs of 40 " +
		"and 10 interleaved). Its timeline, from `perf record` of the raw system calls of one run (tracing slows each call " +
		"a little): runnc's start to its read of config.json 8 ms after the first traced call and some 3 ms of exec and " +
		"runtime start before it; config decoded and converted 1.8; state directory, lock, cgroup paths (/proc/self/cgroup " +
		"read 18 times, 0.9) and the first save of state.json 2.3; the Create phases and their saves 1.7; the cgroup " +
		"directories 2.1, 1.7 of it the mkdir of the cpuset, which runc pays alike: on a host with no other cpuset cgroup, " +
		"cpuset_css_online turns the kernel's cpusets_enabled static key on and patches the kernel's text (perf: " +
		"static_key_slow_inc_cpuslocked, __text_poke), 1.5-1.8 ms on this VM against 0.015 ms while another cpuset exists " +
		"or for 10 ms after the last went (a C probe, mkdir and rmdir at growing gaps); runnc-init cloned and exec'd 1.3; init in its cgroups and ready 1.5; NetworkRun (a thread in init's " +
		"netns, one netlink dump of its links) 0.8; start 0.5; the tender's exec, the boot of hello and its exit 3.5; the " +
		"wait's wake-up 0.8; delete 1.5. Floor: one Go start (about 10 ms), the tender (2.3 ms, the boot group) and the " +
		"kernel's netns, cgroups, clone and exec (about 3 ms) are 15 of the 20 ms that 0.33× allows; runnc's own work is " +
		"about 15 ms more, spread over a dozen steps of 0.5 to 2 ms, none of which alone would reach the target.",
	"",
	"**A `run` call in the third session of 2026-12-06** (be624ac), from uprobes on the entries of runnc's functions and the " +
		"scheduler's exec and exit events, 40 calls, medians (each probe slows a call a little; 21.2 ms in all): exec → main 7.1 " +
		"(the Go runtime's start and the package inits); the command line 0.26; config.json decoded and converted 0.76; the " +
		"factory 0.17; the cgroup planned 0.70 (before the change below); the first save, which encodes runc's configs.Config, " +
		"0.56; FsCreate 0.79; three more saves 0.12-0.14 each; the cgroup's directories 0.54; init's clone (into a new network " +
		"namespace) and exec 1.48; init ready 0.50; the Run phases and their save 1.43; start (the exec fifo) and runnc-init's exec " +
		"of the tender 1.0; the guest's boot and exit 1.26; its exit to runnc's destroy 0.59 (the tender's close of its tap waits " +
		"for an RCU grace period, then runnc's threads hand the wait's return around); FsDestroy, the cgroups and the state " +
		"directory removed 1.09; exit 0.65. Two of them were the host's file systems: (1) the disk image's users directory was " +
		"made at each create and removed at each delete, and on this VM's ext4, mounted with -o discard, an rmdir waits for the " +
		"discard of the directory's block (perf sched: blkdev_issue_discard under ext4_free_blocks; a C probe, 200 of each: rmdir " +
		"0.33 ms, mkdir 0.03, a file's create or unlink 0.01-0.05). The directory now stays as long as its image, and the last " +
		"user's test reads up to a dozen names (internal/dirsample's Empty) where it relied on rmdir's ENOTEMPTY: a `run` call " +
		"20.2 → 19.8 ms (200 interleaved). (2) Without linux.cgroupsPath (the bench's bundles, runc's too) opencontainers/cgroups' " +
		"fs manager reads /proc/self/cgroup once per hierarchy it knows: in a fresh process 0.66 ms with a relative path, 0.43 " +
		"ms with an absolute one, 0.23 ms for one read of /proc/self/cgroup and of mountinfo. runnc now reads it once for that " +
		"case, which TestRelativeV1PathsAreTheManagers holds to the manager's own answer on the host. Left as they are: the " +
		"first save's encoding of configs.Config (0.36 ms of a `run` call measured by leaving it out; encoding/json builds the " +
		"encoders of the whole type at once), and the kernel's share.",
	"",
	"**The fourth session of 2026-12-06** (1bfde87 to d813858), each change measured by hand, 200-400 interleaved, every " +
		"program dropped from the page cache first. (1) runnc's first 2 MiB of code and of read-only data copied onto anonymous " +
		"huge pages before Go's runtime starts (internal/firsttouch; the Makefile aligns the segments to 2 MiB): a start touches " +
		"code and tables spread over the whole binary, and on this VM each 4 KiB page's first touch fills the host's tables, " +
		"however many pages the kernel's fault-around maps at once. The copy costs about 0.17 ms a huge page (zeroing and a " +
		"pread), and `state` went 7.99 → 7.32 ms, a `run` call 20.50 → 20.13 ms; the same binary on a tmpfs mounted huge=always " +
		"(its page cache in huge pages, shared, no copy) took 7.03 ms. The page cache cannot hold it so here: the exec's first " +
		"fault reads the binary in 4 KiB folios with the disk's 8 MiB read-ahead, and Debian's kernel has no " +
		"CONFIG_READ_ONLY_THP_FOR_FS to collapse them (MADV_COLLAPSE fails with EINVAL). Copying the two tails too (1.2 and 1.6 " +
		"MiB) cost more than it saved (8.40 against 7.52 ms). (2) Files that never wait opened outside Go's poller " +
		"(internal/nopoll): os.Open offers every file to the poller, four fcntl calls and an epoll_ctl the kernel refuses; a " +
		"`run` call went from 132 to 63 fcntl and 37 to 14 epoll_ctl calls, 19.59 → 19.44 ms. (3) A rootfs that is no overlay " +
		"(statfs) skips the read of every mount, about 0.1 ms of a create. (4) NetworkRun skipped where the tap handler's Create " +
		"planned no NIC (llif.NetSkipRun): in a namespace runnc makes and no hook fills, it made a thread in the namespace, one " +
		"netlink dump of lo, and threw the thread away: a `run` call 19.57 → 18.70 ms. Measured, not kept: waiting for the " +
		"tender on a pidfd in Go's poller instead of a blocking wait4 (no change: 20.15 against 20.13 ms), GOMAXPROCS=1 (a `run` " +
		"call 3% slower). What is left of a `run` call with the iso fs handler: 1.76 ms more than with the noop one (the disk " +
		"image's key, lock, user marker and marks on ext4, at create and delete), the cpuset's static key (1.5 ms on this host, " +
		"runc pays it alike), the state's saves (about 0.3 ms, most of it encoding/json building codecs once), and the starts.",
	"",
	"**The fifth session of 2026-12-06** (9604e50 to d0e0d0f), each change measured by hand, 150-400 interleaved. (1) The " +
		"cgroup is made on another thread from Create's first save on, beside FsCreate, NetworkCreate and ExecCreate, and start " +
		"waits for it. A C probe: the first cpuset cgroup of a host (none other exists here) turns the kernel's cpusets_enabled " +
		"static key on, which patches the kernel's code, 2.2 ms of CPU (perf: __text_poke), on the caller's CPU; the key goes " +
		"off 5-20 ms after the last cpuset cgroup goes, so sequential runs pay it at every create. A `run` call 20.9 → 19.8 ms " +
		"with the key off, 20.4 → 17.7 ms back to back. Tried first and measured, not kept: making the v1 directories beside " +
		"init's clone and exec, init joining them when told: no gain (20.85 against 21.64 ms), since a clone into a cgroup " +
		"(CLONE_INTO_CGROUP) waits for cgroup_mutex, which the mkdir holds while it patches. (2) The Go runtime's small " +
		"mappings (persistentalloc's 256 KiB chunks and some of 64-128 KiB) carved from one 2 MiB region advised to a huge " +
		"page (internal/firsttouch): perf's page faults by address showed 26 of a `state`'s 97 faults in the three 256 KiB " +
		"chunks and 9 more in the smaller ones, 10-14 µs each here (a C probe), against one fault of the huge page: `state` " +
		"faults 97 → 45, 7.53 → 7.04 ms (1.47× → 1.38× the empty program, 400 interleaved), `list` 1.40× → 1.31×, a `run` " +
		"call 16.7 → 15.9 ms. Populating the chunks instead (MADV_POPULATE_WRITE) would cost more than it saves for the ones " +
		"with 6-7 touched pages (85 against 61 µs in the probe). (3) delete removes the cgroup on another thread while the " +
		"handlers' Destroy phases run: a `run` call 19.15 → 18.57 ms. Measured, not kept: encoding/json on its v2 " +
		"implementation (GOEXPERIMENT=jsonv2): `list` 2.8% faster, a `run` call 3.1% slower. No GC runs in a `run` call " +
		"(gctrace). What is left of a start: Go's runtime reads /proc/self/cgroup, mountinfo and the cpu quota before main " +
		"(its cgroup-aware GOMAXPROCS, whatever GODEBUG says), as the empty program does; 16 faults are left in runnc's own " +
		"memory (the code's and read-only data's tails, .bss), the rest in the runtime's reservations, the C library's thread " +
		"stacks and the main stack.",
	"",
	"With 1,000 containers running (the scale group's 16 MiB sleepers, interleaved with runnc's own root empty, same moment): " +
		"runnc's steps are the same within noise (sum of step medians 70.9 ms against 69.3). Before this change a create and a " +
		"delete listed every user of the disk image four times (the keeper glob, the stale check twice, the delete's glob of its " +
		"marker: 0.4-1.9 ms each at 1,000), and the image store listed an image's users at each create from it. What grows is " +
		"the kernel's: writing cpuset.cpus and cpuset.mems of a new v1 cpuset cgroup takes 0.09 ms with none, 0.50 ms with " +
		"1,000 runnc containers and 0.62 ms with 1,000 runc ones (validate_change walks the siblings, the scheduler domains are " +
		"rebuilt over all cpusets: perf shows validate_change, update_domain_attr_tree, dl_rebuild_rd_accounting); runc copies " +
		"the same files. mkdir of the 9 cgroups 0.27 → 0.30-0.36 ms; the netns (+0.46-0.51), fork and exec are flat on a quiet " +
		"machine. Sequential scale runs: runnc 41.5 → 48.7 ms (1.17×) and 48.3 → 53.7 (1.11×), runc 185.9 → 189.3 (1.02×); " +
		"runnc's extra growth was its two process starts (create's and delete's, +0.9 to +1.7 ms each) in both runs, which the same-moment comparison " +
		"and the probe do not show: load drifting between the levels, and the fill's own after-effects: right after filling, a run " +
		"with 1,000 running took 64 ms, from 30 s on 56-57 ms, against 60 ms with none; the scale group now syncs and pauses 5 s " +
		"after each fill (its growth row: 1.33× for runnc and 1.07× for runc timed at once, 1.19× and 0.94× after the pause, " +
		"10 creates a level; now 30). Floor: about 0.5 ms per create for the cpuset at 1,000, 1% of a create + delete. " +
		"The other way, with none running a create + delete costs more: with no other cgroup on the host its mkdirs turn " +
		"the kernel's static keys on (the cpuset's, above) and the rmdirs turn them off; a directory kept in every hierarchy " +
		"meanwhile made runnc's create + delete 1.7-2.1 ms faster (39.7 against 41.6 ms, 30 interleaved), while one sleeping " +
		"runnc container beside it changed it by 0.6 ms.",
	"",
	"Each container with an image of its own (2026-12-06): the scale group's sleepers share one rootfs, and so one disk image, " +
		"which hid two visits of every image in use. Each create and delete swept the disk directory, locking every image in " +
		"use to look for users lost in a reboot, and each delete looked for its marker in every image's users: with 100 " +
		"containers of distinct rootfs running, a create made 2015 file calls (340 with 2), now 339 (301 with 2), and a create + delete " +
		"took 51.8 ms, 35.8 now (20 interleaved, by hand); with 200 (TestCreateIsFlatAcrossImages), a create made 3737 calls " +
		"against 365 with 2 and touched every other container's files, now 356 against 361, and a delete 3730 against 154, now " +
		"123 against 123. Now the boot's first sweep visits every image in use and records the boot on the directory (an " +
		"extended attribute), later ones visit two at random, and a delete visits the images its state names. A build's " +
		"temporary file has one name (builds hold the image's lock), so neither a build nor a release lists the directory " +
		"to find a dead one's (a create that builds, with 100 running: 386 calls and 53 names listed, 392 and 41 with 2). " +
		"A delete that releases its image then still trimmed the cache by reading the directory's names, one getdents64 per " +
		"90-odd names, three names per image (335 names with 100 running, 26 with 2; 635 with 200). Now the directory carries " +
		"the total size of its unused images (the extended attribute trusted.runnc.unused, changed under a flock of the " +
		"directory; an image is counted before its mark is made and uncounted after it goes, so a runnc killed in between " +
		"leaves it too high, never too low), and trim reads the names only when that total is over --disk-cache; the boot's " +
		"first sweep counts anew. With 200 (TestCreateIsFlatAcrossImages, whose traced delete now releases its image each " +
		"time): a delete lists 32 names against 17 with 2 (the sweep's bounded read), 130 calls against 130. The scale " +
		"group's tenants' rows: before, 43.2 ms with none and 53.8 with 1,000 tenants created (1.25×; the levels are minutes " +
		"apart, and the fill writes 1,000 images); at 41a9ba4, 54.5 and 49.5 ms (0.909×), and 49.5 ms in an empty root and " +
		"disk directory timed in turn with the last level (1.00×, the group's new same-moment row).",
	"",
	"A container that joins a network namespace by path, as Docker's, podman's and the CRI's do, takes eth0 over, and its " +
		"delete gives eth0 back and deletes what the takeover made. Until 2026-12-06 that was a tap and a bridge joining it " +
		"to eth0: NetworkDestroy took 32 ms (--debug steps, a veth in a namespace made by hand), against 0.04 ms when the " +
		"namespace goes with init. The kernel waits for RCU in each unregistering of a device (netdev_run_todo, and the " +
		"bridge's br_multicast_dev_del once more), 14-20 ms a wait on this VM, and the pair already went in one request (a " +
		"link group). By hand, strace -T of the request, 15 interleaved: the pair as a group 35.3 ms (median), the tap " +
		"alone with eth0's ingress qdisc 22.1 ms; moving the tap into a throwaway namespace instead costs the same wait " +
		"(15-22 ms). Now the takeover makes the tap alone, with tc's mirred action redirecting every frame between eth0 " +
		"and the tap (u32 match-all filters on each one's ingress, as Kata Containers does; matchall and flower are not in " +
		"this kernel), and eth0 keeps its MAC and stays up: a create + delete --force joining such a namespace, 20 " +
		"interleaved by hand, create 36.7 → 36.5 ms, delete 61.3 → 42.4 ms. HTTP through it (the network group) is " +
		"unchanged: 54.8 thousand requests/s, p50 0.29 ms.",
	"",
	"`list` (2026-12-06): per container it reads and decodes the state, reads /proc/<pid>/stat and the freezer's state, and " +
		"prints a row. Three changes took it from 0.21 to 0.13 ms a container (a root of 200 sleeping containers, 80 interleaved: " +
		"54.4 → 37.7 ms; of 1,000, 20 interleaved: 176 → 133 ms, against runc's 0.28 ms a container in the scale group): one " +
		"buffered write of the output (the table's writer made a write per cell and padding), /proc/<pid>/stat read with plain " +
		"system calls into the stack and parsed in place (os.ReadFile cost a stat, the poller's probes and a heap buffer, " +
		"bytes.Fields a slice of 50), and the state read into a pooled buffer (11.7 → 8.5 KB allocated a container: on this VM " +
		"each fresh page of heap is a fault, 11 µs). Left: the state's JSON decode (about a quarter of the time), the freezer's " +
		"state through opencontainers/cgroups (a seventh), about 3 fresh pages a container. Tried, not kept: reading state.json " +
		"with plain system calls too (no change beyond noise), GOGC=25, 10 or 5 (page faults 1308 → 991-1024, time unchanged: " +
		"the collections cost what the faults did).",
	"",
	"| target (issue 20) | now |",
	"|---|---|",
	"| create + delete with 1,000 running within 1.1× of with none | **Met in both full runs of the fifth session of 2026-12-06. At c291d52, the last (load 0.69 → 2.84): 1.08× (runc 0.982×), 0.973× beside the empty root, 1.02× against none once the 1,000 are deleted, 1.05× bracketed; start, state, kill and delete 1.10-1.21× (runc 0.93-0.98×); joining by path 1.21×. At d0e0d0f (load 2.23 → 2.76): 1.02× (runc 0.936×), 0.978× beside the empty root, 0.848× against none once the 1,000 are deleted, 0.926× bracketed; start, state, kill and delete 0.964-1.07× (runc 0.82-0.958×); joining by path 1.13×.** Fourth session of 2026-12-06, three full runs: at a635fc8, the last (load 0.37 → 3.74), 1.12× (runc 1.11×), 1.02× beside the empty root, 0.897× against none once the 1,000 are deleted, 0.997× bracketed; start, state, kill and delete 1.05-1.14× (runc 1.22-1.31×); joining by path 1.10×. At 32662f3 (load 1.29 → 3.16) 0.973× (runc 0.977×), 1.01× beside the empty root, 0.995× against none once the 1,000 are deleted, 0.984× against the mean of the two first-level timings (the group's new bracketed row, which cancels a steady drift); start, state, kill and delete 0.998-1.02× (runc 0.889-0.919×); tenants 1.01×, 1.04× beside; joining by path 1.11×. At d813858 (load 0.91 → 3.24) 1.19× (runc 1.08×): its 1,000 level was timed at a slow moment, 0.977× beside the empty root timed with it, 0.968× against none once the 1,000 were deleted, 1.07× against the mean of the two first-level timings (25.9 and 31.8 ms: the host's drift over the group's minutes, which the bracketed row, added after this run, divides out); start, state, kill and delete 1.14-1.16× (runc 1.25-1.31×); joining by path 1.23×. At bb25c3e (third session of 2026-12-06, load 1.91 → 3.25): 0.974× (runc 1.04×), 0.943× beside the empty root (runc 0.99×); tenants 1.02× beside; joining by path 1.03×; start, state, kill and delete 0.877-1.02× (runc 1.12-1.14×). At be624ac, the run before (load 3.56 → 3.51): 1.05× (runc 1.03×), 0.963× beside the empty root (runc 0.994×), 0.931× against none once the 1,000 are deleted; tenants 1.02×, 1.00× beside; joining by path 1.17×. Before: 0.80-1.19× over the full runs of 2026-12-05 (the scale group's growth row; 1.03× and 0.81× in the last two): the levels are timed minutes apart and the run-to-run spread is wider than the target's margin. Timed in turn with an empty root of its own at 1,000 (the group's same-moment row, new in the last two runs): 0.993× and 0.999× (runc 1.01× and 0.986×). runnc's own steps are flat; the kernel's cpuset costs +0.5 ms at 1,000, and with none running the cgroups' static keys (below) cost 2 ms more. The full runs of 2026-12-06: 0.924×, 1.03×, 1.33× and 1.21×, and 1.01×, 0.992×, 0.964× and 0.96× beside the empty root; the scale group run alone after the last two: 1.06× and 1.10× (runc 1.06× both), 0.964× and 0.977× beside the empty root. Since the tender, init and runnc link musl, a create + delete with none running takes 38-39 ms against 42-46 before, while at 100 and above it takes 43-48 ms as before, for an empty root at the same moment too: the step is the host's, between 0 and 100, and runnc's own root adds nothing up to 1,000 (a probe: create + delete in an empty root, 30 each, 48 ms with nothing running and 46-47 with one container running elsewhere). The full runs of 2026-12-06 after the steps group came: 1.09× and 1.27× (runc 1.10× and 1.00×), 1.01× and 0.95× beside the empty root; the full runs of the second session of 2026-12-06 (each program dropped from the page cache before it is timed): 0.948× and 0.923×, and 1.00× and 1.01× beside the empty root. A create that joins a network namespace by path outside a pod (podman's) reads every process's namespace: 1.01×, 1.12×, 1.20×, 1.19×, 1.02× and 1.15× at 1,000 in the full runs, 1.11× and 1.18× alone (the group's joining rows; runc 0.977-1.13×), 6-8 µs a process in a probe with 2,000 sleeping processes. The full run of 2026-12-06 at 41a9ba4 (load 1.1 → 3.1): 1.19× (runc 1.00×), 0.992× beside the empty root, which itself took 56.9 ms at that moment against 47.3 ms at the first level: the host's drift between levels, not runnc's root; joining by path 1.25×. Each container with a rootfs, and so a disk image, of its own (the tenants' rows, whose delete leaves its image unused): 0.909×, and 1.00× beside an empty root and disk directory. The scale group run alone after it: 1.19× (runc 1.08×), 1.02× beside (runc 0.99×); tenants 0.724×, 1.02× beside. The full run at 46653bb: 1.16× (runc 1.01×), 1.02× beside (runc 1.00×); tenants 0.911×, 1.02× beside; joining by path 1.26× (runc 1.01×), at 65.4 and 82.3 ms, against 92.8 and 116 ms with the bridge. The full run at af96491 (load 1.06 → 3.17): 1.25× (runc 1.05×), 0.989× beside the empty root (runc 1.01×); the group now times its first level again once the 1,000 are deleted (the create-after row): 50.0 ms, against 31.2 before the fill, so 0.78× against it (runc 1.02×): the same empty host took 60% longer a quarter of an hour later, and the growth row measures that drift, not the containers; joining by path 1.31× (runc 1.03×); tenants 0.768×, 1.02× beside. A probe of what drifts: each runnc or runc container leaves a dying memory cgroup (/proc/cgroups counts 40 more after 40 creates and deletes), but the kernel frees them within 2 s; dropping the page, dentry and inode caches made a create + delete 2.5 ms faster (40 each, by hand). The full run at 912313c (load 3.53 → 2.85): 0.954× (runc 1.04×), 0.985× beside the empty root (runc 0.986×), 0.847× against the first level timed again after the 1,000 (runc 0.972×); the 500 level alone took 58.5 ms; joining by path 1.12× (runc 1.04×); tenants 0.873×, 1.01× beside. The full run at c034a5e (load 1.98 → 2.50), the first to time start, state, kill and delete at the first and last levels too (each call of one more sleeper, in turn with the level's creates): create + delete 0.956× (runc 1.05×), 0.964× beside the empty root, 0.955× against the first level timed again after; start 0.997×, state 0.965×, kill 0.915×, delete 0.83× (runc 1.09×, 1.06×, 1.11×, 1.11×); joining by path 1.08× (runc 1.08×); tenants 0.833×, 1.00× beside. The full run at 35b7986 (load 0.94 → 2.77): create + delete 0.946× (runc 0.973×), 0.986× beside the empty root, 0.92× against the first level timed again after; start 0.975×, state 0.982×, kill 1.06×, delete 0.986× (runc 1.01×, 0.908×, 0.962×, 0.874×); joining by path 1.05× (runc 1.00×); tenants 1.14×, 0.972× beside. At 6a8bbfc (load 0.64 → 2.96): 0.975× (runc 1.00×), 0.936× against the first level again after; start 1.03×, state 1.05×, kill 1.08×, delete 0.991× (runc 1.02×, 1.03×, 1.06×, 1.03×); joining by path 1.24× (58.9 → 72.8 ms; runc 1.02×); tenants 0.987×. The figures beside an empty root of the runs at c034a5e, 35b7986 and 6a8bbfc are void: c034a5e's rework of the group timed the crowded root in place of its empty twin (fixed at 6bd3017). At 7eae518 (load 2.77 → 2.81): 0.841× (runc 1.14×), 1.03× beside the empty root (runc 1.00×), 0.978× against the first level again after; start 0.796×, state 0.82×, kill 0.851×, delete 0.849× (runc 1.38×, 1.45×, 1.44×, 1.42×); joining by path 0.956× (runc 1.14×); tenants 0.937×, 1.00× beside |",
	"| run at most 0.33× runc's | **Met in both full runs of the fifth session of 2026-12-06: at c291d52, the last (load 0.69 → 2.84), 0.29× as one `run` call (18.8 ms against runc's 64.0), create 0.28×; at d0e0d0f (load 2.23 → 2.76) 0.31× (18.9 ms against 60.7), create 0.27×, the floor column 0.17×. What came since a635fc8: the cgroup made beside Create's phases (the cpuset's static key, 2.2 ms here, off the critical path), the Go runtime's small mappings carved from one huge page, and the cgroup removed beside delete's phases (the fifth session's paragraph above); by hand a `run` call 0.27-0.31× runc's over the session.** Fourth session of 2026-12-06, three full runs: at a635fc8, the last (load 0.37 → 3.74), 0.33× as one `run` call (21.6 ms against runc's 64.7, 0.334), 0.43× as an engine drives it (42.1 against 98.7), create 0.29×, the floor 0.15× and 0.29×; at d813858 (load 0.91 → 3.24) 0.31× as one `run` call (18.3 ms against runc's 59.5), 0.41× as an engine drives it (37.4 against 91.4), create 0.28×, the floor column 0.15× and 0.28×; at 32662f3, which changed only the bench's scale rows, in a slower hour (load 1.29 → 3.16; runc's run 68.0 ms, the empty program 6.98 against 5.74) 0.34× (23.2 ms against 68.0), 0.44× (44.8 against 103), create 0.27×, the floor 0.16× and 0.30×. By hand the same session, 150-200 interleaved: 0.324× (18.70 ms against 57.80) and, at the slower hour after the second run, 0.326× (22.26 against 68.36). What came since bb25c3e: the first 2 MiB of runnc's code and read-only data on huge pages, files outside Go's poller, no mountinfo read for a rootfs that is no overlay, and NetworkRun skipped where no NIC can come (the fourth session's paragraph above): by hand 20.50 → 18.70 ms. The run call is at the target with the host quiet and over it by 3% in a slow hour, whose costs (first touches, the kernel's) weigh more on runnc's 20 ms than on runc's 60. Met in one of the third session's two full runs (2026-12-06), missed in the other: at be624ac (load 3.56 → 3.51) 0.32× as one `run` call (20.6 ms against runc's 63.4), 0.41× as an engine drives it (39.0 against 96.2), create 0.32×, the floor column 0.15× and 0.28×; at bb25c3e, which changed only a lock's check (load 1.91 → 3.25), 0.36× as one call (26.0 ms against 71.4), 0.42× (47.1 against 111), create 0.34×, the floor 0.16× and 0.27×. By hand the same session, each program dropped from the page cache first, at quieter moments: one `run` call 0.33-0.345× (19.8-20.7 ms against runc's 57.8-60.8 ms, 150-200 interleaved): on the edge of the target, which the host's moments move either way. What came since ffb3bc3: each thread start's page kept and the main goroutine's stack grown once (internal/firsttouch; a `run` call 21.9 → 21.1 ms, 400 interleaved), the disk image's users directory kept with its image (20.2 → 19.8 ms, 200), the cgroup v1 paths of a bundle without cgroupsPath from one read of /proc/self/cgroup (fs.NewManager in a fresh process 0.66 → about 0.25 ms); the profile below. At ffb3bc3 (second session of 2026-12-06, load 1.99 → 2.52): 0.37× as one `run` call (20.6 ms against runc's 56.2), 0.45× as an engine drives it (39.5 against 88.2), create 0.33×; the floor column 0.17× and 0.28×. What came since 7eae518: runnc's heap on huge pages and its writable segment mapped in one call (internal/firsttouch; a `run` call by hand 30.3 → 24.9 ms), no crypto package linked (internal/sha256), and every runtime's state root on a tmpfs of its own, as engines keep it (the bench's roots were on this machine's ext4, where runnc's six saves of state.json a run each allocated an inode and flushed on rename; a run call by hand: runnc 25.5 → 23.2 ms, runc 59.7 → 58.5). Before: 0.55-0.63× as an engine drives it, four calls (the lifecycle group's run row; 0.55-0.56× since runnc links musl, 0.60× and 0.61× in the two runs that dropped each program from the page cache); 0.46-0.56× as one `run` call (its next row; 0.52× in both of those; 0.62× and 0.53× at 41a9ba4, 0.60× and 0.52× at 46653bb; a create + delete joining a namespace by path, as engines' containers do, 0.36× at 46653bb, 0.49× with the bridge); the floors above, and the steps group: the three starts of runnc (exec → command line read) and their exits are three fifths of a run. At af96491: 0.62× (57.1 ms against runc's 92.6), 0.52× as one call (31.7 ms); create 0.50× (28.3 ms). Two cuts of create came before it: its start reuses the state Create has just saved rather than decode it and runc's configs.Config again, and init is started by syscall.ForkExec without os/exec's pidfd probe: create 27.8 → 26.7 ms by hand (150 rounds, each binary in each place in turn), while delete, which did not change, moved 15.6 → 14.9 ms in the same rounds: about 0.5-1 ms. At 912313c, where `runnc run` also reuses the state at its exec's and its delete's locks (its fifo step 1.50 → 1.24 ms by hand), in a run that started busier (load 3.53): 0.62× (59.4 ms against 95.0), 0.53× as one call (32.8 ms), create 0.49×. At c034a5e (load 1.98 → 2.50): 0.60× (59.8 ms against 99.6), 0.50× as one call (31.4 ms against 63.1), create 0.46×. At 35b7986 (load 0.94 → 2.77): 0.60× (65.1 ms against 108), 0.51× as one call (37.1 ms against 72.9), create 0.49×; the floor column, new there, 0.34× and 0.18× (above). At 6a8bbfc (load 0.64 → 2.96): 0.59× (57.4 ms against 97.4), 0.50× as one call (31.9 ms against 64.1), create 0.50×; the floor 0.32× and 0.17×: the four calls' target is the floor of these libraries and this tender before any work of runnc's or the kernel's. At 7eae518 (load 2.77 → 2.81): 0.60× (58.0 ms against 96.8), 0.51× as one call (32.3 ms against 63.6), create 0.51×; the floor 0.34× and 0.18× |",
	"| a runnc start at most 1.5× an empty static Go program | **Met in both full runs of the fifth session of 2026-12-06: at c291d52, the last, `state` 1.38× (7.24 ms against 5.26), `list` 1.35×; at d0e0d0f `state` 1.44× (7.93 ms against 5.52), `list` 1.41×, the cgo twin 0.99×, the libraries' floor 1.18×. By hand: `state` 1.47× → 1.38× and `list` 1.40× → 1.31× with the runtime's small mappings carved from one huge page (a start's faults 97 → 45).** Met in two of the fourth session's three full runs (2026-12-06), at the edge in the third: at a635fc8, the last, `state` 1.50× (7.94 ms against 5.31, 1.495), `list` 1.54×, the cgo twin 1.01×, the libraries' floor 1.22×; at d813858 `state` 1.43×, `list` 1.42×, the cgo twin 1.02×, the libraries' floor 1.18×; at 32662f3 `state` 1.46×, `list` 1.40×, the cgo twin 1.02×, the libraries' floor 1.21×. By hand the same session: `state` 1.57× → 1.43× with the code and read-only data on huge pages (300 interleaved), then 1.43-1.53× as the host moved; runnc to the first line of main 0.71 ms above the libraries' floor (the copy onto huge pages 0.33 ms of it), the command itself 0.6 ms. Met in one of the third session's two full runs (2026-12-06), missed in the other: at be624ac `state` 1.46×, `list` 1.46×, the cgo twin 0.94×, the libraries' floor 1.16×; at bb25c3e `state` 1.54×, `list` 1.52×, the cgo twin 0.99×, the libraries' floor 1.16×. By hand the same session: `state` 1.57× → 1.50× with the session's change to internal/firsttouch (500 interleaved), then 1.50-1.55× as the host moved. At ffb3bc3 (second session of 2026-12-06): `state` 1.63×, `list` 1.58×; the cgo twin, linked as runnc now is, 1.00×, the libraries' floor 1.23×. By hand, 300-400 interleaved at a time, `state` 1.41-1.75× and `list` 1.31-1.57× over the session: the ratio moves with the host, since the empty program's start is nearly all 4 KiB faults, whose cost varies, and runnc's now far fewer (next section). Before internal/firsttouch: the startup group: `state` 1.86-1.95×, `list` 1.79-1.84× since runnc's cgo links musl (2.02× and 1.95× with glibc the run before); the cgo twin 1.08-1.15× (1.28-1.31× with glibc); the libraries' floor (the group's last column, new on 2026-12-06) 1.38-1.42× in quick runs. Since the bench drops each program from the page cache before timing it, so that each is timed as an exec reads it from disk: `state` 2.08× and 2.11×, `list` 2.01× and 2.09×, the cgo twin 1.15-1.18×, the libraries' floor 1.48-1.49× and 1.52-1.56× (two full runs; at 41a9ba4 `state` 2.13×, `list` 2.05×, the libraries' floor 1.47× and 1.52×; at 46653bb 2.12×, 2.02×, 1.52× and 1.50×; at af96491 2.11×, 2.10×, 1.52× and 1.49×; at 912313c 2.13×, 2.06×, 1.51× and 1.51×; at c034a5e 2.12×, 1.96×, 1.54× and 1.52×; at 35b7986 2.12×, 2.07×, 1.50× and 1.52×; at 6a8bbfc 2.14×, 2.12×, 1.46× and 1.49×; at 7eae518 2.12×, 2.04×, 1.49× and 1.50×): a binary of runnc's size pays most for the small folios an exec's faults read in; where a start goes is the next section |",
}, "\n")}

// startProfile is where the start of a runnc process goes, against an
// empty static Go program: a profile taken by hand, like runProfile.
var startProfile = Section{Title: "Where a runnc start goes, and its floor (profiled 2026-12-05 and -06)", Body: strings.Join([]string{
	"How: `perf record -F 25000 -g` over 150 runs each of `runnc list` of an empty root, an empty static Go program and the " +
		"same linked with cgo as runnc is (the startup group's last column), the samples split by the outermost runtime or " +
		"package frame; `perf stat -e page-faults`; `GODEBUG=inittrace=1`; timings of 150-200 runs interleaved, medians. " +
		"Not kept in the tree: the builds of the experiments below.",
	"",
	"| part of a start | share of runnc's samples | what |",
	"|---|---|---|",
	"| the runtime's start, before any package (schedinit, the first goroutines) | 28% + 4% | the empty program pays the same faults; runnc's larger tables (itabs, module data, types) add about 0.8 ms |",
	"| package inits | 16.5% | about 70 packages with work in init, none over 0.17 ms (net/netip, urfave/cli, runtime, syscall, godbus, os, runc's cgroups/fs, runtime-spec): most of it first touches of their pages |",
	"| runtime.main's own, the command line, the command | 10% + 8% | for `list`: urfave/cli 0.5 ms; for `state`: reading and decoding state.json, about 0.8 ms, the first use of encoding/json in the process (a 2.6 KB state decoded in 0.66-0.93 ms, 0.48-0.75 ms without its specs.Process) |",
	"| threads | 7% | 5 threads (runtime, sysmon, cgo's template thread, two for the two Ps), against 3 for the empty program |",
	"| glibc's static start | 4% | |",
	"",
	"**Page faults are the cost.** A start of runnc took 300-360 page faults, the empty program 148-164, the same with cgo 190. " +
		"On this VM a fault costs its trap, not its page: a C probe that touches 256 fresh pages one by one takes 2.8 ms (11 µs " +
		"each, perf shows the kernel's pvm_ entry code), and madvise(MADV_POPULATE_WRITE) of the same 256 pages 0.15 ms.",
	"",
	"**First touches, made cheap (second session of 2026-12-06).** Where a start of `runnc state`'s 283-292 faults landed " +
		"(perf record -e page-faults -d, by address): 147 in the Go heap, 67 in the runtime's other mappings and thread stacks, " +
		"37 in .data and .bss, 32 in text and rodata. More C probes on this VM (the host shadows the guest's page tables): a " +
		"fresh 4 KiB page of anonymous memory costs 10-14 µs, one already mapped by MADV_POPULATE_WRITE 4.6 µs on first touch " +
		"plus 0.64 µs to populate; a page of a cached file 1.3-1.9 µs when its neighbours are touched too and 7-15 µs alone, " +
		"mapped ahead (MADV_POPULATE_READ) or not; a 2 MiB transparent huge page one fault of 100-500 µs (the zeroing, with the " +
		"VM's interrupt enables in it), after which 150 touches cost 1 µs in all. Go's runtime advises huge pages only for " +
		"large heaps' metadata, and Debian leaves THP to madvise. So internal/firsttouch, C linked into runnc and runnc-image, " +
		"(1) wraps the C library's mmap, through which Go's runtime maps memory in a cgo binary (runtime/cgo, for sanitizers), " +
		"with -Wl,--wrap=mmap, and advises MADV_HUGEPAGE for every private anonymous writable mapping of 2 MiB or more (the " +
		"heap's 4 MiB chunks; the runtime's own MADV_NOHUGEPAGE, for its scavenger's index and GODEBUG=disablethp=1, still " +
		"wins, as it comes after); (2) in a constructor, before Go's runtime starts, maps the writable segment (.data and the " +
		"first 512 KiB of .bss, where the runtime's variables are) in one MADV_POPULATE_WRITE. `runnc state`: 292 → 123 faults " +
		"and 9.06 → 7.13 ms with (1) (the empty program 4.5 ms, 300 interleaved), 123 → 90 faults and 0.25 ms more with (2); a " +
		"`run` call 30.3 → 24.9 ms. A start takes 1-2 huge pages (the heap's base is random within its first 4 MiB chunk, so " +
		"its used part straddles a 2 MiB boundary about half the time; thp_fault_alloc counted 1.5 a start, no fallback, no " +
		"compaction stall over a full bench). What a huge page costs where memory is fragmented: with defrag=madvise (Debian's) " +
		"a THP fault may compact memory first; GODEBUG=disablethp=1 takes runnc back to 4 KiB pages. Left: the heap's zeroing " +
		"(perf: clear_page_erms and pvm_irq_enable under do_huge_pmd_anonymous_page, 8% of `list`'s samples), the runtime's " +
		"other mappings (pageAlloc's summaries, the 1.4 MB heapArena, mspans: under 2 MiB each, about 60 faults), and the " +
		"file's pages (the binary's text and rodata are file-backed: no huge pages without CONFIG_READ_ONLY_THP_FOR_FS, " +
		"MADV_COLLAPSE of the mapping fails with EINVAL here).",
	"",
	"**Thread starts and stack copies (third session of 2026-12-06, 4f58e54).** 200 `runnc state` calls against 200 of the " +
		"empty program, perf record -g, by caller: apart from the package inits and the command, runnc took 4% of its samples " +
		"in runtime.copystack and 1% in munmap. (1) The main goroutine's stack grew by copying, 2 → 4 → 8 → 16 KiB in `state` " +
		"and on to 32 KiB in `run` (uprobes on runtime.copystack), the later copies deep in urfave/cli, libcontainer and " +
		"encoding/json, each walking every frame through the function tables, pages a start has not touched yet. A Go init " +
		"in internal/firsttouch now calls a function with a 16 KiB frame once: one copy, to 32 KiB, with few frames on the stack " +
		"(the uprobes: two copies in all, 4 KiB during the inits before it and 32 KiB). (2) runtime/cgo mallocs each new " +
		"thread's start record and the thread frees it; musl's allocator gave the page back at each free, so each of the 4-6 " +
		"threads a start makes cost an mmap, a fault and an munmap, whose TLB shootdown interrupts the other CPU (strace: 17 " +
		"such calls in a `state`, 1 after). A constructor now holds one block of that size for good; TestRunncStartUnmapsNothing " +
		"counts munmap calls under strace. `state` 8.86 → 8.48 ms (1.57× → 1.50× the empty program, 500 interleaved); a `run` " +
		"call 21.9 → 21.1 ms (400). Tried, not kept: runtime.GOMAXPROCS(1) in that init (the runtime's threads are started " +
		"before the first package init; 1%), growing the stack to 64 or 128 KiB (no better than 32, within noise), warming " +
		"encoding/json's encoder of runc's configs.Config on a goroutine of its own while create decodes config.json (no gain: " +
		"the work is first touches of code and data, which the second CPU does not make cheaper on this VM).",
	"",
	"**crypto/sha256 is gone from runnc (ffb3bc3).** It brought Go's FIPS 140 module: fifteen packages initialised at each " +
		"start and a 32 MiB DRBG in .bss. internal/sha256 is SHA-256 in plain Go (FIPS 180-4), checked against crypto/sha256 " +
		"over every length to 1,000 bytes whole and in pieces, on NIST's examples and by a fuzz target; same digests, so no " +
		"disk image, device or marker is renamed. `state` 1.61× → 1.58× and 1.62× → 1.58× (twice 300 interleaved). It hashes " +
		"245 MB/s against crypto/sha256's 1.7 GB/s (SHA-NI): runnc hashes names and metadata, and the bytes of small layers only.",
	"",
	"**cgo is 1.4-1.7 ms of every start** (the startup group's last column, 1.2-1.3× the pure Go program): glibc's static start, " +
		"cgo's template thread, pthread stacks. runnc links cgo because runc's specconv imports runc's internal/userns, whose " +
		"user-namespace code is C; runc v1.5.3, the newest version served, still does, and a CGO_ENABLED=0 build fails to " +
		"compile (undefined: userns.GetUserNamespaceMappings). Only a patched runc module would remove it.",
	"",
	"**Tried, not kept** (interleaved medians):",
	"- Populating, from the first package init that can run (too late: the runtime has faulted in its pages by then; the way " +
		"that works, before the runtime and at the heap's mapping, is above), the binary's text and rodata (MADV_POPULATE_READ), its data, " +
		"the first 512 KiB of its bss and the next 1 MiB of the Go heap (MADV_POPULATE_WRITE): faults 280-300 → 224-249, time " +
		"10.44 → 10.32-10.66 ms. The faults left are the runtime's own, taken before any package can act, and mapping 7.6 MB of " +
		"text and rodata costs what their faults did.",
	"- runtime.GOMAXPROCS(1) in main's init: 11.27 → 12.55 ms (it stops the world). GOMAXPROCS=1 in the environment saves " +
		"1.1 ms (fewer threads), but the engine sets runnc's environment.",
	"- GODEBUG=containermaxprocs=0,updatemaxprocs=0: no change.",
	"- (2026-12-06) GOEXPERIMENT=jsonv2, encoding/json on its v2 implementation: `runnc state` 10.53 → 11.05 ms (100 interleaved): " +
		"a larger binary, and its first decode no cheaper. With the heap on huge pages (second session): `state` and a `run` " +
		"call 2-3% faster (twice 300 and twice 50 interleaved), one error message names the spec's type differently; not " +
		"kept for that, in an experiment of Go 1.26 that Go 1.27 makes the default.",
	"- (second session of 2026-12-06) The main goroutine's stack grown once to 64 KiB in the first init, so that inits and " +
		"the command copy no deep stack: `state` 1-2.5% faster, within the noise (500 interleaved). GODEBUG=updatemaxprocs=0 " +
		"(no GOMAXPROCS update at sysmon's first tick): -1.3% for `state`, +1% for `list`. Not kept.",
	"- (2026-12-06) MADV_POPULATE_WRITE of the next 256 KiB to 1 MiB of the Go heap from main's init (the heap alone, without the " +
		"binary's pages of the attempt above): `runnc state`'s page faults 289 → 258-233, its time unchanged (13.4 against " +
		"13.3-13.6 ms, 150 interleaved). `runnc --version` takes 312-340 faults, `state` 40 more: the faults are the start's, " +
		"and a command adds few.",
	"- (2026-12-06) runnc without runc's specconv and the systemd cgroup driver (their calls cut out), so that CGO_ENABLED=0 " +
		"builds it: no cgo, no godbus or go-systemd. `runnc state` 12.44 → 10.47 ms against the empty program's 5.46 and the " +
		"cgo twin's 6.99 (2.28× → 1.92×; 150 interleaved), page faults 385 → 311 against 150. Where a start's faults land " +
		"(perf record of page-faults with their addresses, 20 runs): runnc 166 in the Go heap and the runtime's structures beside " +
		"it, 74 in the binary's own pages, 66 in thread stacks and the runtime's other mappings; the empty program 77, 41 and 39. " +
		"By the end of `state` (this build) runnc has allocated 150 KB and holds 512 KiB of heap spans, the empty program 67 KB " +
		"and 280 KiB. Dropping the whole of cgo and D-Bus would leave the target out of reach: the rest is a Go program of " +
		"runnc's size.",
	"- For the scale target, a new cpuset cgroup's sched_load_balance set to 0 before its cpus (so that the kernel need not " +
		"rebuild the scheduler domains): a C probe of mkdir, cpus, mems and rmdir beside 1,000 cpusets with a task each took " +
		"186-313 µs with it and 193-299 µs without.",
	"- (2026-12-06) Warming encoding/json's encoders for runc's configs.Config in a goroutine at the start of create, beside " +
		"the decode of config.json, so that the first save would find them built: create 23.6 → 24.4 ms (60 interleaved). The " +
		"second core is not free enough on this VM to win back a goroutine's start.",
	"",
	"**The libraries' floor** (2026-12-06; 300 runs interleaved, each program as its linker wrote it). What each layer of " +
		"runnc adds to a start, from the empty program up; the startup group's last column is the fourth row, measured in " +
		"every bench run:",
	"",
	"| program | ms | × the empty program |",
	"|---|---|---|",
	"| empty static Go program | 4.91 | 1.00 |",
	"| the same with runtime/cgo, linked statically with musl as runnc is | 5.67 | 1.16 |",
	"| the same importing runc's specconv | 6.74 | 1.37 |",
	"| the same importing every library runnc's own packages import (runc's configs and specconv, opencontainers/cgroups, netlink, netns, urfave/cli, logrus, console, securejoin, go-units, x/sys) | 7.12 | 1.45 |",
	"| the same importing runnc's own packages (their package inits: crypto/sha256 brings Go's FIPS module, about 0.2-0.3 ms) | 7.80 | 1.59 |",
	"| all of runnc linked (7.1 MB against 4.8) and its command line built, not run | 8.41 | 1.72 |",
	"| `runnc --version` | 8.90 | 1.81 |",
	"| `runnc list` of an empty root | 9.04 | 1.84 |",
	"",
	"specconv costs nothing of its own once the rest is there: the libraries without it take the same time, since its cost is " +
		"that of what it imports (runc's configs, opencontainers/cgroups, go-systemd's D-Bus, godbus, net), which every command " +
		"needs (state reads the freezer, delete decodes the config and removes the cgroups). Without urfave/cli they take " +
		"0.23 ms less. D-Bus, which the issue asks to cost no command but the systemd driver's, costs none that shows: the " +
		"libraries without specconv, go-systemd's dbus and godbus start in 9.84 ms, against 9.77 with them (500 interleaved, " +
		"2026-12-06). Over the cgo twin alone godbus adds 1.1 ms (7.62 → 8.67 ms, 300 interleaved), most of it net's (8.24 " +
		"ms), which netlink brings anyway; and specconv imports godbus itself, so no runnc command could leave it out. " +
		"Of runnc's own packages' share, crypto/sha256 brings Go's FIPS module with it: the " +
		"libraries' floor with it added starts 0.2 ms later (6.71 against 6.51 ms, 300 interleaved, 2026-12-06). It names " +
		"disk images (a key that tenants' containers share, so it must resist collisions), tap devices and image users' " +
		"markers; a hash from outside crypto would rename every such file and device a running container's delete looks " +
		"for. Kept then; replaced since by internal/sha256, which gives the same digests (above). So a program made of these libraries starts at 1.38-1.56× the empty one before it does anything (the " +
		"startup group's last column: 1.38× and 1.42× in quick runs, 1.48-1.56× in the two full runs that timed every " +
		"program as an exec reads it from disk), and the 1.5× target leaves runnc at most 0.12× (0.6 ms), in the last full " +
		"run nothing, for its own packages, its command line and the command: the state's first decode alone is 0.8 ms.",
	"",
	"**How the binary came into the page cache moves a start by up to 1.4 ms on this VM.** The same runnc written with dd in " +
		"4 MiB writes runs `list` of an empty root in 9.5 ms, written in 4 KiB writes in 11.0 ms (300 interleaved, twice); read " +
		"back by its first exec after the caches were dropped, 10.3-10.6 ms. The page cache keeps the folios a write or a read " +
		"made, and on this VM the faults that map many small folios cost more than those that map a few large ones (their " +
		"number hardly changes: 311 and 324). The bench times each program as its linker wrote it.",
}, "\n")}
