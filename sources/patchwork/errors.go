package patchwork

import (
	"errors"
	"fmt"
)

// HTTPError is a response with a status outside 2xx.
type HTTPError struct {
	URL        string // the URL requested
	StatusCode int    // 404
	Status     string // "404 Not Found"
	// Detail is the API's "detail" field, or a short excerpt of a JSON
	// object body (a filter's validation errors) when there is no "detail";
	// "" for a body that is neither (an HTML error page).
	Detail string
}

// Error names the URL and the status line, and the detail when there is one.
func (e *HTTPError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("GET %s: %s: %s", e.URL, e.Status, e.Detail)
	}
	return fmt.Sprintf("GET %s: %s", e.URL, e.Status)
}

// ErrFilterIgnored is wrapped by the error of a lookup whose answer holds a
// patch the filter excludes: the server dropped the filter, as the 1.1 API
// does with msgid and hash (both need API 1.2, Patchwork 2.2 or later).
var ErrFilterIgnored = errors.New("the server ignored the filter")

// ErrTooManyPages is wrapped by the error of a lookup that still had a next
// page after MaxPages pages.
var ErrTooManyPages = errors.New("too many pages")

// ErrTooLarge is wrapped by the error of a response whose body is larger
// than MaxResponseBytes.
var ErrTooLarge = errors.New("response too large")
