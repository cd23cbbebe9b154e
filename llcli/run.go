package llcli

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli"
)

var runCommand = cli.Command{
	Name:      "run",
	Usage:     "create and start a container, and wait for it unless detached",
	ArgsUsage: "<container-id> [args...]",
	Description: `Run is create then start. In the foreground it forwards signals to the
unikernel, waits for it, deletes the container (unless --keep) and exits
with the unikernel's exit status (128+N if killed by signal N).

With --image, arguments after the container id replace the image's Cmd
after its Entrypoint, as with docker run (with no Entrypoint, the first
names the unikernel); put -- before them if one starts with a dash.

Example: runnc run --bundle /containers/hello hello1
         runnc run --image docker://127.0.0.1:5000/hello:1 hello2 hola`,
	Flags: append([]cli.Flag{
		cli.BoolFlag{Name: "detach, d", Usage: "return once the container is started"},
		cli.BoolFlag{Name: "keep", Usage: "do not delete the container after it exits (delete it with runnc delete)"},
		cli.BoolFlag{Name: "no-subreaper", Usage: "accepted for runc compatibility; runnc never makes itself a subreaper (the unikernel is its only process and runnc's own child)"},
		cli.StringFlag{Name: "image", Usage: "run a container of this image from the image store (pulled if missing) instead of a bundle"},
	}, createFlags...),
	Action: func(ctx *cli.Context) error {
		args, hold, err := useImage(ctx)
		if err != nil {
			return err
		}
		c, proc, err := createContainer(ctx, args, hold)
		if err != nil {
			return err
		}
		if err := c.Exec(); err != nil {
			destroy(ctx, c, true)
			return err
		}
		if err := writePidFile(ctx.String("pid-file"), c); err != nil {
			destroy(ctx, c, true)
			return err
		}
		if ctx.Bool("detach") {
			return nil
		}
		stop := forwardSignals(proc.Pid)
		code, err := proc.Wait()
		stop()
		if !ctx.Bool("keep") {
			if derr := destroy(ctx, c, true); err == nil {
				err = derr
			}
		}
		if err != nil {
			return err
		}
		return exitCode(code)
	},
}

// forwardSignals passes the signals a terminal or supervisor sends to
// runnc on to the unikernel, as runc run does.
func forwardSignals(pid func() (int, error)) (stop func()) {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				if p, err := pid(); err == nil {
					syscall.Kill(p, s.(syscall.Signal))
				}
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}
