package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

const (
	opMsg          = 2013
	maxMessageSize = 48 << 20
	flagChecksum   = 1 << 0
	flagMoreToCome = 1 << 1
)

// writeCommands change documents; FerretDB must see them one at a time.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true, "findandmodify": true,
}

// writeGate is a global semaphore held from a write command's request until its reply.
type writeGate chan struct{}

func newWriteGate() writeGate { return make(writeGate, 1) }

func serveGated(ctx context.Context, public net.Listener, socket string, gate writeGate) {
	for {
		client, err := public.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go proxy(client, socket, gate)
	}
}

// proxy relays one driver connection. Drivers send one request per connection at a time and
// wait for its reply, so a connection holds the gate for at most one write.
func proxy(client net.Conn, socket string, gate writeGate) {
	defer client.Close()
	server, err := net.Dial("unix", socket)
	if err != nil {
		return
	}
	defer server.Close()

	var mu sync.Mutex
	pending := int32(-1) // requestID of the write holding the gate, -1 if none
	release := func(responseTo int32, force bool) {
		mu.Lock()
		defer mu.Unlock()
		if pending != -1 && (force || responseTo == pending) {
			pending = -1
			<-gate
		}
	}
	defer release(0, true)

	go func() {
		defer client.Close()
		defer server.Close()
		for {
			msg, err := readMessage(server)
			if err != nil {
				return
			}
			release(int32(binary.LittleEndian.Uint32(msg[8:12])), false)
			if _, err := client.Write(msg); err != nil {
				return
			}
		}
	}()

	for {
		msg, err := readMessage(client)
		if err != nil {
			return
		}
		if isAcknowledgedWrite(msg) {
			gate <- struct{}{}
			mu.Lock()
			pending = int32(binary.LittleEndian.Uint32(msg[4:8]))
			mu.Unlock()
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [16]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	size := int(binary.LittleEndian.Uint32(header[0:4]))
	if size < 16 || size > maxMessageSize {
		return nil, errors.New("bad message length")
	}
	msg := make([]byte, size)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[16:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// isAcknowledgedWrite reports whether msg is an OP_MSG whose command body starts with a write
// command name and that expects a reply (unacknowledged writes set moreToCome and get none).
func isAcknowledgedWrite(msg []byte) bool {
	if len(msg) < 21 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return false
	}
	flags := binary.LittleEndian.Uint32(msg[16:20])
	if flags&flagMoreToCome != 0 {
		return false
	}
	end := len(msg)
	if flags&flagChecksum != 0 {
		end -= 4
	}
	for i := 20; i < end; {
		kind := msg[i]
		i++
		if i+4 > end {
			return false
		}
		size := int(binary.LittleEndian.Uint32(msg[i : i+4]))
		if size < 5 || i+size > end {
			return false
		}
		if kind == 0 {
			return writeCommands[firstKey(msg[i:i+size])]
		}
		i += size
	}
	return false
}

// firstKey returns the name of a BSON document's first element.
func firstKey(doc []byte) string {
	if len(doc) < 6 {
		return ""
	}
	name := doc[5:]
	for j, b := range name {
		if b == 0 {
			return string(name[:j])
		}
	}
	return ""
}
