/*
 * runnc-init: the container's first process, from `runnc create` until it
 * becomes the workload at `runnc start`.
 *
 * It is C, not a re-exec of runnc, for the same reason runc's nsexec is:
 * a Go program costs about 4 ms to start here and this process starts once
 * per container. It has three jobs and decides nothing itself: runnc create
 * runs the hooks and the handlers' Run phases (on a thread inside this
 * process's network namespace) and then sends the workload to exec.
 *
 * First it joins the cgroup v1 directories in _RUNNC_CGROUPS (runnc create
 * cloned it into the v2 one) and the network namespace in _RUNNC_NETNS, if
 * any (else it was cloned into a new one).
 *
 * Protocol over the socket in _RUNNC_INITPIPE; frames are one type byte,
 * a payload length (uint32, host byte order) and the payload:
 *
 *   init   -> parent  'R'  ready: in the container's network namespace
 *   parent -> init    'X'  exec: uint32 argc, uint32 envc, then 3 + argc +
 *                          envc NUL-terminated strings (path, argv, envp,
 *                          and the security label to exec with: a file
 *                          below /proc/thread-self/attr and what to write
 *                          there, both empty for none)
 *                     'P'  pause: no workload; wait for a stop signal and
 *                          exit 0, as a pod sandbox's pause process does
 *   init   -> parent  EOF  created: init now blocks on the exec fifo
 *   init   -> parent  'E'  error: the payload is one line saying why
 *
 * Then it opens the exec fifo (_RUNNC_FIFOFD, an O_PATH fd) for writing,
 * which blocks until `runnc start` opens it for reading, writes one byte
 * and execs the workload.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    MSG_READY = 'R',
    MSG_EXEC = 'X',
    MSG_PAUSE = 'P',
    MSG_ERROR = 'E',
};

/* The workload's argv and envp together; Linux caps them near this too. */
#define MAX_PAYLOAD (8u << 20)

static int sync_fd = -1;

/*
 * transfer_all reads or writes all of len bytes, across short transfers
 * and EINTR; it returns -1 on EOF or error.
 */
static int transfer_all(int fd, char *p, size_t len, int writing)
{
    while (len > 0) {
        ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
    return transfer_all(fd, (char *)buf, len, 1);
}

static int read_all(int fd, void *buf, size_t len)
{
    return transfer_all(fd, buf, len, 0);
}

static int send_frame(uint8_t type, const void *payload, uint32_t len)
{
    if (write_all(sync_fd, &type, 1) < 0 || write_all(sync_fd, &len, sizeof len) < 0)
        return -1;
    return write_all(sync_fd, payload, len);
}

/*
 * die reports why init gives up: to runnc create while it listens, else
 * on the container's stderr, where `docker logs` shows it.
 */
static void die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

static void die(int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (sync_fd < 0 || send_frame(MSG_ERROR, msg, (uint32_t)strlen(msg)) < 0)
        dprintf(STDERR_FILENO, "runnc-init: %s\n", msg);
    _exit(status);
}

/* env_fd is the fd number in environment variable name, or -1. */
static int env_fd(const char *name)
{
    const char *s = getenv(name);
    char *end;
    long v;
    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX)
        return -1;
    return (int)v;
}

/*
 * join_cgroups moves this process into each cgroup v1 directory listed,
 * one per line, by writing "0" to its "tasks" file: that moves the caller
 * alone and, unlike writing a pid to cgroup.procs, takes no global lock
 * that waits for an RCU grace period. It is exact while we have one thread.
 */
static void join_cgroups(char *dirs)
{
    char path[PATH_MAX];
    for (char *dir = strtok(dirs, "\n"); dir != NULL; dir = strtok(NULL, "\n")) {
        int fd, n = snprintf(path, sizeof path, "%s/tasks", dir);
        if (n < 0 || (size_t)n >= sizeof path)
            die(1, "cgroup path %s is too long", dir);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write_all(fd, "0", 1) < 0)
            die(1, "join cgroup %s: %s", dir, strerror(errno));
        close(fd);
    }
}

static void join_netns(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die(1, "network namespace %s cannot be opened: %s", path, strerror(errno));
    if (setns(fd, CLONE_NEWNET) < 0)
        die(1, "network namespace %s cannot be joined (is it a network namespace?): %s", path,
            strerror(errno));
    close(fd);
}

/*
 * take_strings points out[0..n) at n NUL-terminated strings from *p, never
 * past end, and moves *p past them. It returns -1 if they do not fit.
 * Arrays come from calloc with room for n + 1, so they stay NULL-ended.
 */
static int take_strings(char **p, const char *end, char **out, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        char *nul = memchr(*p, '\0', (size_t)(end - *p));
        if (nul == NULL)
            return -1;
        out[i] = *p;
        *p = nul + 1;
    }
    return 0;
}

struct workload {
    char *path;
    char **argv;
    char **envp;
    char *label_attr;
    char *label;
};

/* parse_exec decodes an 'X' payload; any inconsistency is fatal. */
static struct workload parse_exec(char *buf, uint32_t len)
{
    struct workload w;
    uint32_t argc, envc;
    char *p;
    const char *end = buf + len;
    if (len < 2 * sizeof(uint32_t))
        die(1, "exec message of %u bytes is too short", len);
    p = buf + 2 * sizeof(uint32_t);
    memcpy(&argc, buf, sizeof argc);
    memcpy(&envc, buf + sizeof argc, sizeof envc);
    /* Every string takes at least its NUL, which bounds both counts. */
    if (argc == 0 || argc > len || envc > len)
        die(1, "exec message counts %u arguments and %u variables in %u bytes", argc, envc, len);
    w.argv = calloc((size_t)argc + 1, sizeof(char *));
    w.envp = calloc((size_t)envc + 1, sizeof(char *));
    if (w.argv == NULL || w.envp == NULL)
        die(1, "out of memory for the workload's arguments");
    if (take_strings(&p, end, &w.path, 1) < 0 || take_strings(&p, end, w.argv, argc) < 0 ||
        take_strings(&p, end, w.envp, envc) < 0 || take_strings(&p, end, &w.label_attr, 1) < 0 ||
        take_strings(&p, end, &w.label, 1) < 0 || p != end)
        die(1, "exec message does not hold exactly a path, %u arguments, %u variables and a label", argc, envc);
    if (*w.label_attr != '\0' && strcmp(w.label_attr, "apparmor/exec") != 0 && strcmp(w.label_attr, "exec") != 0)
        die(1, "exec message names the label file \"%s\"", w.label_attr);
    return w;
}

/*
 * apply_label asks the security module to confine the workload from its
 * exec on (AppArmor's "exec PROFILE", an SELinux label), as runc's init
 * does. It runs while runnc create still listens, so that a label the
 * module refuses fails the create.
 */
static void apply_label(const struct workload *w)
{
    char path[64];
    int fd;
    if (*w->label_attr == '\0')
        return;
    snprintf(path, sizeof path, "/proc/thread-self/attr/%s", w->label_attr);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write_all(fd, w->label, strlen(w->label)) < 0)
        die(1, "set the workload's security label \"%s\": %s", w->label, strerror(errno));
    close(fd);
}

/* wait_for_start blocks until `runnc start` opens the exec fifo. */
static void wait_for_start(int fifo_fd)
{
    char path[64];
    int fd;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fifo_fd);
    do
        fd = open(path, O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        die(1, "open exec fifo: %s", strerror(errno));
    close(fifo_fd);
    if (write_all(fd, "0", 1) < 0)
        die(1, "write exec fifo: %s", strerror(errno));
    close(fd);
}

/*
 * The signals that stop a pod sandbox. A pausing init blocks them before
 * it lets start return, so that one sent at once finds it waiting for them
 * rather than killing it; an init that execs a workload leaves them alone,
 * since the workload would inherit the mask.
 */
static void stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

/* pause_until_stopped is a pod sandbox's workload. */
static void pause_until_stopped(const sigset_t *set)
{
    while (sigwaitinfo(set, NULL) < 0 && errno == EINTR)
        ;
    _exit(0);
}

int main(void)
{
    int fifo_fd;
    char *cgroups;
    const char *netns;
    uint8_t type;
    uint32_t len;
    char *buf;
    struct workload w = {0};
    sigset_t stop;

    sync_fd = env_fd("_RUNNC_INITPIPE");
    fifo_fd = env_fd("_RUNNC_FIFOFD");
    if (sync_fd < 0 || fifo_fd < 0) {
        sync_fd = -1;
        die(1, "this program is started by runnc create, not by hand");
    }
    cgroups = getenv("_RUNNC_CGROUPS");
    if (cgroups != NULL)
        join_cgroups(cgroups);
    netns = getenv("_RUNNC_NETNS");
    if (netns != NULL && *netns != '\0')
        join_netns(netns);
    if (send_frame(MSG_READY, NULL, 0) < 0)
        _exit(1); /* runnc create is gone and has undone the container */

    if (read_all(sync_fd, &type, 1) < 0 || read_all(sync_fd, &len, sizeof len) < 0)
        _exit(1); /* runnc create gave up: a hook or a Run phase failed */
    if (len > MAX_PAYLOAD)
        die(1, "message of %u bytes is larger than %u", len, MAX_PAYLOAD);
    buf = malloc((size_t)len + 1);
    if (buf == NULL)
        die(1, "out of memory for a message of %u bytes", len);
    if (read_all(sync_fd, buf, len) < 0)
        _exit(1);
    switch (type) {
    case MSG_EXEC:
        w = parse_exec(buf, len);
        apply_label(&w);
        break;
    case MSG_PAUSE:
        stop_signals(&stop);
        sigprocmask(SIG_BLOCK, &stop, NULL);
        break;
    default:
        die(1, "unexpected message type %u", type);
    }
    /* EOF tells runnc create that the container is created. */
    close(sync_fd);
    sync_fd = -1;

    wait_for_start(fifo_fd);
    if (w.path == NULL)
        pause_until_stopped(&stop);
    execve(w.path, w.argv, w.envp);
    die(127, "exec %s: %s", w.path, strerror(errno));
}
