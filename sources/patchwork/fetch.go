package patchwork

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody bounds what is read of a non-2xx body to find its detail.
const maxErrorBody = 64 << 10

// get fetches u and returns its body (at most MaxResponseBytes) and header.
// A 429 is retried once when its Retry-After asks for MaxRetryAfter or less;
// any other status outside 2xx is an *HTTPError.
func (c *Client) get(ctx context.Context, u string) ([]byte, http.Header, error) {
	resp, err := c.do(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok || wait > MaxRetryAfter {
			he := statusError(u, resp)
			resp.Body.Close()
			if !ok {
				return nil, nil, he
			}
			return nil, nil, fmt.Errorf("%w (Retry-After asks for %v, more than the %v waited at most)", he, wait, MaxRetryAfter)
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if err := sleep(ctx, wait); err != nil {
			return nil, nil, fmt.Errorf("GET %s: waiting %v to retry after 429: %w", u, wait, err)
		}
		if resp, err = c.do(ctx, u); err != nil {
			return nil, nil, err
		}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, statusError(u, resp)
	}
	if resp.ContentLength > MaxResponseBytes {
		return nil, nil, fmt.Errorf("GET %s: %w: Content-Length %d, more than the %d bytes read at most", u, ErrTooLarge, resp.ContentLength, MaxResponseBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: reading the body: %w", u, err)
	}
	if len(body) > MaxResponseBytes {
		return nil, nil, fmt.Errorf("GET %s: %w: body longer than the %d bytes read at most", u, ErrTooLarge, MaxResponseBytes)
	}
	return body, resp.Header, nil
}

// do sends one GET.
func (c *Client) do(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	ua := c.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return hc.Do(req)
}

// statusError reads what it needs of a non-2xx response into an *HTTPError.
// It does not close the body.
func statusError(u string, resp *http.Response) *HTTPError {
	status := resp.Status
	if status == "" {
		status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &HTTPError{URL: u, StatusCode: resp.StatusCode, Status: status, Detail: detail(body)}
}

// detail returns the "detail" of an API error body, or a compact excerpt of
// a JSON object body without one (Patchwork answers a bad filter value with
// {"project": ["Select a valid choice..."]}); "" for anything else.
func detail(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return ""
	}
	var d struct {
		Detail any `json:"detail"`
	}
	if json.Unmarshal(body, &d) != nil {
		return ""
	}
	switch v := d.Detail.(type) {
	case string:
		return excerpt([]byte(v), 300)
	case nil:
	default:
		if b, err := json.Marshal(v); err == nil {
			return excerpt(b, 300)
		}
	}
	var compact bytes.Buffer
	if json.Compact(&compact, body) != nil {
		return ""
	}
	return excerpt(compact.Bytes(), 300)
}

// retryAfter parses a Retry-After value, delay-seconds or an HTTP date, into
// the time to wait from now (0 for a date already past).
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
