#!/bin/sh
# Writes the seed bodies of fuzz_xml: a selector byte (chunk size, text
# cap, service, action, HTTP status), then an XML (or JSON error) body.
cd "$(dirname "$0")" || exit 1
printf '\006<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>AWSLogs/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Contents><Key>a%%2Fb+c.json.gz</Key><LastModified>2026-11-26T10:00:00.000Z</LastModified><ETag>&quot;0123&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>d&amp;e\303\251</Key><Size>0</Size></Contents><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>' >seed-s3-list
printf '\000<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2026-11-26T11:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>' >seed-sts
printf '\217<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>ExpiredToken</Code>\n    <Message>The security token included in the request is expired</Message>\n  </Error>\n  <RequestId>abc</RequestId>\n</ErrorResponse>\n' >seed-query-error
printf '\023<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R</RequestId><HostId>H</HostId></Error>' >seed-s3-error
printf '\102<Response><Errors><Error><Code>X</Code><Message>m</Message></Error></Errors><RequestID>id</RequestID></Response>' >seed-ec2-error
printf '\360{"__type":"com.amazon.coral#ThrottlingException","message":"Rate exceeded"}' >seed-json-error
printf '\005<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>' >seed-doctype
# Regression seed: the smallest complete document.  bq_xml_feed(x, NULL, 0,
# true) (how aws_s3.c ends a listing) did "data += 0" on NULL, undefined
# behaviour that clang's UBSan stops on (lib/proto_xml.c bq_xml_feed).
printf '\000<a/>' >regress-null-final-feed.xml
