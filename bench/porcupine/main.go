// Side-by-side comparison glue for the harness `lin` bench: checks each log named
// on the command line with Porcupine's own kv (or etcd) model and log parser, as
// Porcupine's porcupine_test.go does, and prints one verdict line per log.
// Exit 0 if every log is linearizable, 1 if any is not, 2 on usage error.
//
//	porcupine-kv [--etcd] LOG...
package main

import (
	"fmt"
	"os"

	"github.com/anishathalye/porcupine"
)

func main() {
	args := os.Args[1:]
	etcd := len(args) > 0 && args[0] == "--etcd"
	if etcd {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: porcupine-kv [--etcd] LOG...")
		os.Exit(2)
	}
	code := 0
	for _, path := range args {
		var ok bool
		if etcd {
			ok = porcupine.CheckEvents(porcupine.EtcdModel, porcupine.ParseEtcdLog(path))
		} else {
			ok = porcupine.CheckEvents(porcupine.KvModel, porcupine.ParseKvLog(path))
		}
		verdict := "linearizable"
		if !ok {
			verdict = "not-linearizable"
			code = 1
		}
		fmt.Printf("%s\t%s\n", path, verdict)
	}
	os.Exit(code)
}
