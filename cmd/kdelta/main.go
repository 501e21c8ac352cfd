// Command kdelta tracks the patch delta between the upstream RDMA stack
// and the distro and vendor trees that ship it. Run `kdelta help`.
package main

import "os"

func main() {
	stop := startProfiles()
	code := run(os.Args[1:], newEnv())
	stop()
	os.Exit(code)
}
