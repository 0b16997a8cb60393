/** Reading the files that identify a guest's distribution release and its installed packages. */
package dev.vmhotplug.guest.distro;
