// Command outline prints a canonical outline of Go files as go/parser sees them, to check
// leakhound_syntax against it. It reads file paths, one per line, on stdin and writes for
// each "== path" followed by either "ERROR" (go/parser rejects the file) or one line per
// node in ast.Inspect order: kind, start and end byte offsets, and an operator or token for
// the nodes that have one. Comments and the braces of switch/select bodies are left out.
package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer out.Flush()
	for in.Scan() {
		path := in.Text()
		fmt.Fprintf(out, "== %s\n", path)
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(out, "UNREADABLE")
			continue
		}
		outline(out, src)
	}
}

func outline(out *bufio.Writer, src []byte) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		fmt.Fprintln(out, "ERROR")
		return
	}
	base := fset.File(f.Package).Base()
	off := func(p token.Pos) int {
		if !p.IsValid() {
			return -1
		}
		return int(p) - base
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		var parent ast.Node
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		stack = append(stack, n)
		switch n.(type) {
		case *ast.CommentGroup, *ast.Comment:
			return true
		}
		kind := reflect.TypeOf(n).Elem().Name()
		extra := ""
		switch x := n.(type) {
		case *ast.IndexListExpr:
			kind = "IndexExpr"
		case *ast.BlockStmt:
			switch parent.(type) {
			case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				return true
			}
		case *ast.BasicLit:
			extra = " " + x.Kind.String()
		case *ast.UnaryExpr:
			extra = " " + x.Op.String()
		case *ast.BinaryExpr:
			extra = " " + x.Op.String()
		case *ast.AssignStmt:
			extra = " " + x.Tok.String()
		case *ast.IncDecStmt:
			extra = " " + x.Tok.String()
		case *ast.BranchStmt:
			extra = " " + x.Tok.String()
		case *ast.GenDecl:
			extra = " " + x.Tok.String()
		case *ast.RangeStmt:
			if x.Tok != token.ILLEGAL {
				extra = " " + x.Tok.String()
			}
		case *ast.ChanType:
			extra = fmt.Sprintf(" %d", x.Dir)
		case *ast.Ident:
			extra = " " + x.Name
		case *ast.TypeSpec:
			if x.Assign.IsValid() {
				extra = " alias"
			}
		case *ast.CallExpr:
			if x.Ellipsis.IsValid() {
				extra = " ..."
			}
		case *ast.SliceExpr:
			if x.Slice3 {
				extra = " 3"
			}
		case *ast.EmptyStmt:
			if x.Implicit {
				extra = " implicit"
			}
		}
		fmt.Fprintf(out, "%s %d %d%s\n", kind, off(n.Pos()), off(n.End()), extra)
		return true
	})
}
