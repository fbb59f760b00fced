// SPDX-License-Identifier: GPL-2.0
//
// A Windows-style program (written for portres, not taken from Microsoft's
// pages, which have no example of the persistent calls): creates a
// persistent TCP port reservation, looks it up, associates a socket with it,
// binds the socket to port 0 and prints the port it got, then deletes the
// reservation.  It is a Windows source as it stands: on Linux it builds,
// unedited, with $(pkg-config --cflags --libs portres-win).
//
// usage: persistent_reservation START COUNT   (needs administrator rights)

#include <winsock2.h>
#include <mstcpip.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>

#pragma comment(lib, "ws2_32.lib")
#pragma comment(lib, "iphlpapi.lib")

int main(int argc, char **argv)
{
    WSADATA wsaData = { 0 };
    ULONG64 token = INVALID_PORT_RESERVATION_TOKEN, found = 0;
    USHORT startPort, numPorts;
    SOCKET sock = INVALID_SOCKET;
    sockaddr_in service = { 0 }, sockName = { 0 };
    int nameLen = sizeof (sockName);
    DWORD bytesReturned = 0;
    ULONG status;
    int rc = 1;

    if (argc != 3) {
        printf("usage: %s <StartingPort> <NumberOfPorts>\n", argv[0]);
        return 1;
    }
    startPort = (USHORT) atoi(argv[1]);
    numPorts = (USHORT) atoi(argv[2]);

    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0)
        return 1;

    status = CreatePersistentTcpPortReservation(htons(startPort), numPorts, &token);
    if (status != NO_ERROR) {
        printf("CreatePersistentTcpPortReservation failed with error = %lu\n",
               (unsigned long) status);
        WSACleanup();
        return 1;
    }
    printf("CreatePersistentTcpPortReservation succeeded, Token = %llu\n",
           (unsigned long long) token);

    status = LookupPersistentTcpPortReservation(htons(startPort), numPorts, &found);
    printf("LookupPersistentTcpPortReservation returned %lu, %s token\n",
           (unsigned long) status, found == token ? "the same" : "another");

    sock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (sock == INVALID_SOCKET) {
        printf("socket failed with error = %d\n", WSAGetLastError());
    } else if (WSAIoctl(sock, SIO_ASSOCIATE_PORT_RESERVATION, &token,
                        sizeof (token), NULL, 0, &bytesReturned, NULL,
                        NULL) != 0) {
        printf("WSAIoctl(SIO_ASSOCIATE_PORT_RESERVATION) failed with error = %d\n",
               WSAGetLastError());
    } else {
        service.sin_family = AF_INET;
        service.sin_addr.s_addr = INADDR_ANY;
        service.sin_port = 0;
        if (bind(sock, (SOCKADDR *) & service, sizeof (service)) == SOCKET_ERROR) {
            printf("bind failed with error = %d\n", WSAGetLastError());
        } else if (getsockname(sock, (SOCKADDR *) & sockName, &nameLen) == SOCKET_ERROR) {
            printf("getsockname failed with error = %d\n", WSAGetLastError());
        } else {
            printf("Port number allocated = %u\n", ntohs(sockName.sin_port));
            rc = 0;
        }
    }
    if (sock != INVALID_SOCKET)
        closesocket(sock);

    status = DeletePersistentTcpPortReservation(htons(startPort), numPorts);
    printf("DeletePersistentTcpPortReservation returned %lu\n", (unsigned long) status);
    if (status != NO_ERROR)
        rc = 1;
    WSACleanup();
    return rc;
}
