/**
 * Package version comparison exactly as rpm ({@link dev.vmhotplug.guest.version.RpmVersion}) and
 * dpkg ({@link dev.vmhotplug.guest.version.DebVersion}) do it.
 */
package dev.vmhotplug.guest.version;
