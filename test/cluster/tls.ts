// A fixed self-signed certificate for 127.0.0.1 and localhost (valid until 2126) and its key, for the
// test API server only. kubectl sends a bearer token only over HTTPS (client-go's clientcmd loads
// auth info only for https servers), so the server speaks TLS; kubeconfigs trust this certificate
// through certificate-authority-data. The key is public on purpose: it protects nothing.

export const testServerKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKPiPCTUYWMEV/zBe
fU8t1ikr6GnjlysvE45trwqyuQ+hRANCAARU7gUROkcxQyKmFQ4uu/945zfXLEMq
6txcpkQz9iEUUgaMa3XjwvgnBi3L43uflieHc8fq7wCegil+fUrOMjBv
-----END PRIVATE KEY-----
`;

export const testServerCertificate = `-----BEGIN CERTIFICATE-----
MIIB1jCCAXygAwIBAgIUW4KNK91s3L5SIMoFnGceZdzKvVcwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTZmx1eC10ZXN0LWFwaXNlcnZlcjAgFw0yNjExMjMyMTA5MDBa
GA8yMTI2MTAzMDIxMDkwMFowHjEcMBoGA1UEAwwTZmx1eC10ZXN0LWFwaXNlcnZl
cjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFTuBRE6RzFDIqYVDi67/3jnN9cs
Qyrq3FymRDP2IRRSBoxrdePC+CcGLcvje5+WJ4dzx+rvAJ6CKX59Ss4yMG+jgZUw
gZIwHQYDVR0OBBYEFCWzqhlZcm2VeLnPHNnD7Lm8rBLGMB8GA1UdIwQYMBaAFCWz
qhlZcm2VeLnPHNnD7Lm8rBLGMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAP
BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIChDATBgNVHSUEDDAKBggrBgEF
BQcDATAKBggqhkjOPQQDAgNIADBFAiEAijxOke5Dk75/3+NBglwTXFGQRTOD+qpX
FC5LnqVPekoCIFN8ktz7JCKY7HBCaRH9Ey0pzZoKQHdZ7bgPYKubLwE6
-----END CERTIFICATE-----
`;
