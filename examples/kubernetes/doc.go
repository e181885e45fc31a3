// Package kubernetes holds example manifests that run profile-export on
// Kubernetes: a CronJob of an Indexed Job (one pod per shard), the token Secret,
// the data volume and a namespace. It has no Go code; its test decodes every
// manifest strictly with the official API types, so that a typo cannot ship.
package kubernetes
