//go:build tools

// Package tools pins AWS's IAM Roles Anywhere credential helper (aws_signing_helper), which the
// Roles Anywhere interoperability test builds and runs against the loopback CreateSession endpoint.
package tools

import _ "github.com/aws/rolesanywhere-credential-helper"
