package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/profile-export/profile-export/fetch/sandbox"
)

func sandboxFlags() []cli.Flag {
	senv := func(name string) []string { return env("sandbox-" + name) }
	return []cli.Flag{
		&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "`ADDR` to listen on", EnvVars: senv("listen")},
		&cli.StringFlag{Name: "client", Value: sandbox.DefaultClientCode, Usage: "client code the simulator answers for", EnvVars: senv("client")},
		&cli.StringFlag{Name: "token-file", Usage: "require this token as Authorization: Bearer (or set PROFILE_EXPORT_SANDBOX_TOKEN)", EnvVars: senv("token-file")},
		&cli.Float64Flag{Name: "not-found-rate", Value: sandbox.DefaultNotFoundRate, Usage: "share of IDs without a profile (404), chosen deterministically", EnvVars: senv("not-found-rate")},
		&cli.Uint64Flag{Name: "seed", Usage: "changes which IDs exist and their data", EnvVars: senv("seed")},
		&cli.DurationFlag{Name: "latency", Usage: "added to every request", EnvVars: senv("latency")},
		&cli.DurationFlag{Name: "jitter", Usage: "latency varies by ± this", EnvVars: senv("jitter")},
		&cli.Float64Flag{Name: "rate-429", Usage: "share of requests answered 429 with Retry-After", EnvVars: senv("rate-429")},
		&cli.DurationFlag{Name: "retry-after", Value: sandbox.DefaultRetryAfter, Usage: "Retry-After of the 429 answers", EnvVars: senv("retry-after")},
		&cli.Float64Flag{Name: "rate-500", Usage: "share answered 500", EnvVars: senv("rate-500")},
		&cli.Float64Flag{Name: "rate-502", Usage: "share answered 502 (HTML gateway page)", EnvVars: senv("rate-502")},
		&cli.Float64Flag{Name: "rate-503", Usage: "share answered 503", EnvVars: senv("rate-503")},
		&cli.Float64Flag{Name: "rate-reset", Usage: "share whose connection is reset mid-response", EnvVars: senv("rate-reset")},
		&cli.Float64Flag{Name: "rate-hang", Usage: "share that never answer (past the client's timeout)", EnvVars: senv("rate-hang")},
		&cli.Float64Flag{Name: "rate-truncated", Usage: "share answered 200 with a truncated body", EnvVars: senv("rate-truncated")},
		&cli.Float64Flag{Name: "rate-html", Usage: "share answered 200 with an HTML proxy page", EnvVars: senv("rate-html")},
		&cli.IntFlag{Name: "fail-first", Usage: "the first N attempts of every ID answer 503", EnvVars: senv("fail-first")},
		&cli.Float64Flag{Name: "fail-first-share", Usage: "limit --fail-first to this share of the IDs, chosen deterministically (0: every ID)", EnvVars: senv("fail-first-share")},
	}
}

func sandboxCommand() *cli.Command {
	return &cli.Command{
		Name:         "sandbox",
		Usage:        "serve the simulated Target Profile API, for curl or export --base-url",
		UsageText:    "profile-export sandbox --listen 127.0.0.1:8080 [--rate-503 0.1 ...]",
		Flags:        sandboxFlags(),
		Before:       checkArgs("profile-export sandbox"),
		OnUsageError: onUsageError("profile-export sandbox", sandboxFlags()),
		Action: func(c *cli.Context) error {
			cfg := sandbox.Config{
				ClientCode:   c.String("client"),
				NotFoundRate: c.Float64("not-found-rate"),
				Seed:         c.Uint64("seed"),
				Faults: sandbox.Faults{
					Latency: c.Duration("latency"), Jitter: c.Duration("jitter"),
					Rate429: c.Float64("rate-429"), RetryAfter: c.Duration("retry-after"),
					Rate500: c.Float64("rate-500"), Rate502: c.Float64("rate-502"), Rate503: c.Float64("rate-503"),
					RateReset: c.Float64("rate-reset"), RateHang: c.Float64("rate-hang"),
					RateTruncated: c.Float64("rate-truncated"), RateHTML: c.Float64("rate-html"),
					FailFirst: c.Int("fail-first"), FailFirstShare: c.Float64("fail-first-share"),
				},
			}
			if cfg.NotFoundRate == 0 {
				cfg.NotFoundRate = -1 // the flag's 0 means "every ID exists"
			}
			tok, err := readSandboxToken(c.String("token-file"))
			if err != nil {
				return err
			}
			cfg.Token = tok
			srv, err := sandbox.Start(c.String("listen"), cfg)
			if err != nil {
				return fmt.Errorf("starting the simulator on %s: %w", c.String("listen"), err)
			}
			defer srv.Close()
			fmt.Fprintf(c.App.ErrWriter, "profile-export sandbox: serving the simulated Target Profile API at %s (client %s)\n", srv.URL, cfg.ClientCode)
			auth := ""
			if cfg.Token != "" {
				auth = ` -H "Authorization: Bearer $(cat TOKEN_FILE)"`
			}
			fmt.Fprintf(c.App.ErrWriter, "  try: curl%s '%s/rest/v1/profiles/thirdPartyId/CRM-0001?client=%s'\n", auth, srv.URL, cfg.ClientCode)
			fmt.Fprintf(c.App.ErrWriter, "  stats: %s/_sandbox/stats\n", srv.URL)
			<-c.Context.Done()
			return nil
		},
	}
}

func readSandboxToken(path string) (string, error) {
	if path == "" {
		return lookupEnv(envPrefix + "SANDBOX_TOKEN"), nil
	}
	tok, err := readToken(path)
	return string(tok), err
}
