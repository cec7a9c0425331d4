package fakeserver;

import jakarta.resource.ResourceException;

/**
 * Refusals as an application server's connection manager makes them: outside the connector's packages, so that the
 * connector can tell them from its own.
 */
public final class PoolRefusals {

    private PoolRefusals() {
    }

    /** What Payara's connection manager says while it re-creates a pool after a property was changed. */
    public static ResourceException poolBeingRecreated(String pool) {
        return new ResourceException(pool + ": No Pool Meta Data object associated with the pool : " + pool
                + ". Try redeploying the application.");
    }

    /** The server's wrapping of a failure that came from the resource adapter. */
    public static ResourceException allocationFailed(Throwable cause) {
        ResourceException wrapped = new ResourceException("Error in allocating a connection. Cause: "
                + cause.getMessage());
        wrapped.initCause(cause);
        return wrapped;
    }
}
