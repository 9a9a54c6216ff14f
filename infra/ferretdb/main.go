// Command ferretdb-local runs FerretDB v1 with its SQLite backend on a loopback address.
//
// `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that panics at
// start (its version.txt is git-ignored, FerretDB issue #2982); the embeddable package has no
// such check when it is not the main module, so we wrap it.
//
// FerretDB 1.24's SQLite backend applies an update as read, modify, write without isolation:
// thirty concurrent $push to one document keep a handful. MongoDB makes single-document updates
// atomic and our projections rely on it, so FerretDB listens on a private Unix socket and the
// public address is a proxy that lets one write command at a time through (see writegate.go).
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ferretdb-local LISTEN_ADDR SQLITE_DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(listenAddr, sqliteDir string) error {
	if err := os.MkdirAll(sqliteDir, 0o755); err != nil {
		return err
	}
	// A Unix socket path is limited to ~100 bytes; the SQLite directory may be deeper than that.
	sockDir, err := os.MkdirTemp("", "ferretdb-local-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(sockDir)
	socket := filepath.Join(sockDir, "ferretdb.sock")

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{Unix: socket},
		Handler:  "sqlite",
		// WAL without an fsync per commit: a killed process loses nothing, a power cut may lose
		// the last commits. Local development and tests only; production runs MongoDB.
		SQLiteURL: "file:" + sqliteDir + "/?_pragma=synchronous(normal)",
	})
	if err != nil {
		return err
	}
	public, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	go serveGated(ctx, public, socket, newWriteGate())

	fmt.Println("READY", listenAddr)
	select {
	case <-ctx.Done():
		public.Close()
		<-done
		return nil
	case err := <-done:
		return fmt.Errorf("ferretdb stopped: %w", err)
	}
}
