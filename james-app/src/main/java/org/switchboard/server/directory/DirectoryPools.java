package org.switchboard.server.directory;

import java.security.GeneralSecurityException;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;

import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;

/** The server's LDAP connection pools (users, routing), all made the same way from one set of settings. */
public final class DirectoryPools {
    private DirectoryPools() {
    }

    /**
     * @param bindAsAdmin connections bound with the configured DN and password, or unbound (to check users'
     *                    passwords by binding as them)
     */
    public static LDAPConnectionPool open(DirectoryUsersConfiguration configuration, boolean bindAsAdmin, int size,
                                   String name) throws LDAPException {
        LDAPURL url = new LDAPURL(configuration.url());
        boolean ldaps = "ldaps".equalsIgnoreCase(url.getScheme());
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(10_000);
        options.setResponseTimeoutMillis(30_000);
        SocketFactory socketFactory = null;
        PostConnectProcessor startTls = null;
        if (ldaps || configuration.startTls()) {
            SSLUtil ssl = configuration.trustAllCertificates()
                ? new SSLUtil(new TrustAllTrustManager())
                : new SSLUtil(JVMDefaultTrustManager.getInstance());
            if (!configuration.trustAllCertificates()) {
                options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
            }
            try {
                if (ldaps) {
                    socketFactory = ssl.createSSLSocketFactory();
                } else {
                    SSLContext context = ssl.createSSLContext();
                    startTls = new StartTLSPostConnectProcessor(context);
                }
            } catch (GeneralSecurityException e) {
                throw new LDAPException(ResultCode.LOCAL_ERROR, "Cannot set up TLS for " + configuration.url(), e);
            }
        }
        SingleServerSet servers = socketFactory == null
            ? new SingleServerSet(url.getHost(), url.getPort(), options)
            : new SingleServerSet(url.getHost(), url.getPort(), socketFactory, options);
        SimpleBindRequest bind = bindAsAdmin
            ? new SimpleBindRequest(configuration.bindDn(), configuration.bindPassword())
            : null;
        LDAPConnectionPool pool = new LDAPConnectionPool(servers, bind, 1, size, startTls);
        pool.setRetryFailedOperationsDueToInvalidConnections(bindAsAdmin);
        pool.setConnectionPoolName(name);
        return pool;
    }
}
