// Command list prints the objects in a bucket, with their size and the time
// they were last modified.
//
//	go run ./examples/list
//	go run ./examples/list -prefix notes/
//
// Configuration comes from the environment (see examples/internal/demo).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

func main() {
	prefix := flag.String("prefix", "", "list only keys that start with `prefix`")
	flag.Parse()
	if err := run(*prefix); err != nil {
		fmt.Fprintln(os.Stderr, "list:", err)
		os.Exit(1)
	}
}

func run(prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	env, err := demo.Setup(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	// The embedded server starts empty: give it something to list.
	err = env.Seed(ctx, map[string]string{
		"notes/hello.json": `{"title":"hello"}`,
		"notes/todo.txt":   "buy milk\n",
		"readme.txt":       "s3kit demo bucket\n",
	})
	if err != nil {
		return err
	}

	// List pages through the bucket as the loop asks for more. An error is
	// yielded once and ends the loop.
	n := 0
	for obj, err := range env.Client.List(ctx, env.Bucket, s3kit.WithPrefix(prefix)) {
		if err != nil {
			return err
		}
		fmt.Printf("%-20s %6d B  %s\n", obj.Key, obj.Size, obj.LastModified.Local().Format(time.DateTime))
		n++
	}
	fmt.Printf("%d objects in %s with prefix %q\n", n, env.Bucket, prefix)
	return nil
}
