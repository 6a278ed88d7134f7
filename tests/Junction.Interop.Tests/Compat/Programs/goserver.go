// An HTTP server using only Go's standard library, built statically (CGO_ENABLED=0) by the test: Go makes its
// system calls itself (no libc), so only the seccomp filter can put its sockets on Junction.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from go, %s\n", r.RemoteAddr)
	})
	http.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("0123456789abcdef", 1<<16)))
	})
	// A client too: Go dials the Linux peer with a non-blocking connect and epoll.
	http.HandleFunc("/relay", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get("http://" + os.Args[2] + "/")
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		fmt.Fprintf(w, "relayed %d\n", resp.StatusCode)
	})
	listener, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening on", listener.Addr())
	err = http.Serve(listener, nil)
	fmt.Fprintln(os.Stderr, "serve:", err)
	os.Exit(3)
}
