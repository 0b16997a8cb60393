/** vmhotplug guest module. */
package dev.vmhotplug.guest;
