"""Downloads: files written for a request or by a background job, and the responses that send them."""
