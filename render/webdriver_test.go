package render

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// A webDriver drives a headless Chromium through chromedriver (the W3C
// WebDriver protocol over HTTP), for tests that click and resize, which
// a DOM dump cannot.
type webDriver struct {
	t       *testing.T
	base    string // http://127.0.0.1:PORT/session/ID
	element string
}

// startWebDriver starts chromedriver and a headless session at width×height,
// or skips (fails under CI=true) when there is no chromedriver.
func startWebDriver(t *testing.T, width, height int) *webDriver {
	t.Helper()
	browser := chromium(t)
	driver := os.Getenv("KABI_CHROMEDRIVER")
	if driver == "" {
		var err error
		if driver, err = exec.LookPath("chromedriver"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("CI=true but no chromedriver: .ci/run installs chromium-driver")
			}
			t.Skip("no chromedriver on this machine (apt-get install chromium-driver)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, driver, fmt.Sprintf("--port=%d", port))
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	root := fmt.Sprintf("http://127.0.0.1:%d", port)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(root + "/status"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatal("chromedriver did not start")
		}
	}
	w := &webDriver{t: t, base: root}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{"binary": browser, "args": []string{
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
			"--user-data-dir=" + t.TempDir(), "--allow-file-access-from-files",
		},
			// A window cannot be narrower than about 500 px; a device's
			// viewport can, as on a phone.
			"mobileEmulation": map[string]any{"deviceMetrics": map[string]any{"width": width, "height": height, "pixelRatio": 1}},
		},
	}}}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	w.call("POST", "/session", caps, &s)
	w.base = root + "/session/" + s.SessionID
	t.Cleanup(func() { w.call("DELETE", "", nil, nil) })
	return w
}

// call makes one WebDriver request and decodes its "value" into out.
func (w *webDriver) call(method, path string, body, out any) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			w.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.base+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		w.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &env); err != nil || resp.StatusCode != 200 {
		w.t.Fatalf("webdriver %s %s: %s: %s", method, path, resp.Status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(env.Value, out); err != nil {
			w.t.Fatalf("webdriver %s %s: %v: %s", method, path, err, raw)
		}
	}
}

func (w *webDriver) open(url string) {
	w.t.Helper()
	w.call("POST", "/url", map[string]string{"url": url}, nil)
}

// eval runs a script in the page and decodes its result into out.
func (w *webDriver) eval(script string, out any) {
	w.t.Helper()
	w.call("POST", "/execute/sync", map[string]any{"script": script, "args": []any{}}, out)
}

// click clicks the element a CSS selector finds.
func (w *webDriver) click(selector string) {
	w.t.Helper()
	var el map[string]string
	w.call("POST", "/element", map[string]string{"using": "css selector", "value": selector}, &el)
	for _, id := range el {
		w.call("POST", "/element/"+id+"/click", map[string]any{}, nil)
		return
	}
	w.t.Fatalf("no element %s", selector)
}

// text waits until the script's string result satisfies ok, and returns it.
func (w *webDriver) waitText(script string, ok func(string) bool) string {
	w.t.Helper()
	var s string
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(50 * time.Millisecond) {
		w.eval(script, &s)
		if ok(s) {
			return s
		}
	}
	return s
}

// screenshot saves a PNG of the window under $KABI_SCREENSHOTS, when set.
func (w *webDriver) screenshot(name string) {
	w.t.Helper()
	dir := os.Getenv("KABI_SCREENSHOTS")
	if dir == "" {
		return
	}
	var b64 string
	w.call("GET", "/screenshot", nil, &b64)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		w.t.Fatal(err)
	}
}
