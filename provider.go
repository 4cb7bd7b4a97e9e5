package s3kit

// Provider is a profile of an S3-compatible provider. Build it with one of
// the constructors, such as [CloudTemple].
type Provider struct {
	name            string
	endpoint        string
	region          string
	pathStyle       bool
	pathStyleSet    bool
	compatChecksums bool
	objectACLs      bool
	listV1          bool
	maxKeyLen       int
}

// WithProvider applies a provider profile. Default: none.
func WithProvider(p Provider) Option {
	return clientOption(func(c *clientConfig) { c.ext.provider = &p })
}
