//! A certificate authority made for one test or one load run (rcgen): server certificates for
//! `localhost` and 127.0.0.1, client certificates named by their common name. Generation
//! fails only on a programming error, so the methods panic rather than return errors.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};

pub struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Ca {
    /// A self-signed CA whose subject is `CN=name`.
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    /// The CA certificate, PEM: what a client trusts, or a server's `client_ca`.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// (certificate PEM, key PEM) for `cn`, with `sans` as DNS or IP names.
    pub fn issue(
        &self,
        cn: &str,
        sans: &[&str],
        usage: ExtendedKeyUsagePurpose,
    ) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(sans).unwrap();
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// A server certificate and key for `localhost` and 127.0.0.1.
    pub fn server(&self) -> (String, String) {
        self.issue(
            "clearance test server",
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate and key whose subject is `CN=cn`.
    pub fn client(&self, cn: &str) -> (String, String) {
        self.issue(cn, &[], ExtendedKeyUsagePurpose::ClientAuth)
    }
}
